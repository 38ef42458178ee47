"""Cross-cutting pieces: column types, time, errors, security, i18n."""
