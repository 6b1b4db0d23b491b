"""Account pages: sign-in (auth), account management (users), security settings (security)."""
