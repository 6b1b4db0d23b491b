import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["bureau", "admin_a", "member", "inspector", "auditor", "sysadmin"])
def test_home_renders_for_every_role(cast, login, who):
    response = login(cast[who]).get("/")
    assert response.status_code == 200
    assert "党建工作管理平台" in response.content.decode()
    assert "Content-Security-Policy" in response.headers


def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.django_db
def test_login_page_and_healthz(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
