"""Reading rendered pages for what the content-security policy and CSRF protection require."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "srcset",
    "xlink:href",
    "background",
}
HTMX_URL_ATTRIBUTES = {"hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"}
# Script types a browser does not execute (data blocks such as Django's json_script).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json", "text/template"}


@dataclass
class Form:
    method: str
    action: str
    fields: list[str] = field(default_factory=list)
    controls: list[str] = field(default_factory=list)  # the ones a person fills in (not hidden, not buttons)


@dataclass
class PageReport:
    urls: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    inline_scripts: int = 0
    handlers: list[tuple[str, str]] = field(default_factory=list)  # on* attributes: (tag, attribute)
    forms: list[Form] = field(default_factory=list)

    def foreign_urls(self, hosts: set[str]) -> list[tuple[str, str, str]]:
        """URLs that point to another host (or run script through a javascript: URL)."""
        out = []
        for tag, attr, value in self.urls:
            for candidate in value.split(",") if attr == "srcset" else [value]:
                url = candidate.strip().split(" ")[0]
                parts = urlsplit(url)
                if parts.scheme.lower() == "javascript":
                    out.append((tag, attr, value))
                elif parts.netloc and parts.hostname not in hosts:
                    out.append((tag, attr, value))
                elif parts.scheme.lower() in {"http", "https"} and not parts.netloc:
                    out.append((tag, attr, value))
        return out

    def post_forms_without_csrf(self) -> list[Form]:
        return [f for f in self.forms if f.method == "post" and "csrfmiddlewaretoken" not in f.fields]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.report = PageReport()
        self._form: Form | None = None
        self._script_inline = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        for name, value in a.items():
            if name in URL_ATTRIBUTES or name in HTMX_URL_ATTRIBUTES:
                self.report.urls.append((tag, name, value))
            if name.startswith("on"):
                self.report.handlers.append((tag, name))
        if tag == "script":
            self._script_inline = "src" not in a and a.get("type", "").lower() not in DATA_SCRIPT_TYPES
        elif tag == "form":
            self._form = Form(method=a.get("method", "get").lower(), action=a.get("action", ""))
            self.report.forms.append(self._form)
        elif tag in {"input", "button", "select", "textarea"} and self._form is not None and a.get("name"):
            self._form.fields.append(a["name"])
            kind = a.get("type", "").lower() if tag == "input" else tag
            if kind not in {"hidden", "submit", "button", "reset", "image"}:
                self._form.controls.append(a["name"])

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "script":
            self._script_inline = False

    def handle_data(self, data: str) -> None:
        if self._script_inline and data.strip():
            self.report.inline_scripts += 1


def inspect_html(html: str) -> PageReport:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.report


def csp_directives(header: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out
