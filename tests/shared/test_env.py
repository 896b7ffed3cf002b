from pathlib import Path

import pytest

from shared.env import (
    ConfigError,
    env_bool,
    env_database,
    env_int,
    env_list,
    env_secret,
    env_str,
    parse_database_url,
)


def test_a_missing_required_string_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="SYSTRAITE_X is required"):
        env_str("SYSTRAITE_X", environ={})


def test_a_value_outside_the_choices_names_the_variable_and_the_choices() -> None:
    with pytest.raises(ConfigError, match=r"SYSTRAITE_ENV=.prod.*development, production"):
        env_str(
            "SYSTRAITE_ENV",
            "development",
            environ={"SYSTRAITE_ENV": "prod"},
            choices=("development", "production"),
        )


@pytest.mark.parametrize("raw", ["ten", "1.5", "0x10"])
def test_a_non_integer_is_refused_with_the_variable_name(raw: str) -> None:
    with pytest.raises(ConfigError, match=f"N={raw!r} is not valid: expected an integer"):
        env_int("N", 1, environ={"N": raw})


def test_an_integer_out_of_range_is_refused() -> None:
    with pytest.raises(ConfigError, match="N=5 is out of range"):
        env_int("N", 1, environ={"N": "5"}, minimum=10)


def test_integers_and_defaults_are_read() -> None:
    assert env_int("N", 7, environ={}) == 7
    assert env_int("N", 7, environ={"N": " 12 "}) == 12


@pytest.mark.parametrize(
    ("raw", "value"), [("true", True), ("NO", False), ("1", True), ("off", False)]
)
def test_booleans_accept_the_usual_spellings(raw: str, value: bool) -> None:
    assert env_bool("B", not value, environ={"B": raw}) is value


def test_an_ambiguous_boolean_is_refused() -> None:
    with pytest.raises(ConfigError, match="B='maybe'"):
        env_bool("B", True, environ={"B": "maybe"})


def test_lists_drop_blanks() -> None:
    assert env_list("L", environ={"L": "a, b,,c "}) == ["a", "b", "c"]


def test_a_secret_file_wins_over_the_variable(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("from-file\n")
    environ = {"S": "from-env", "S_FILE": str(secret)}
    assert env_secret("S", environ=environ) == "from-file"


def test_an_unreadable_secret_file_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"S_FILE=.*cannot be read"):
        env_secret("S", environ={"S_FILE": str(tmp_path / "missing")})


def test_postgres_urls_become_django_settings() -> None:
    db = parse_database_url("postgres://u%40x:p%2Fw@db.example:5433/systraite?sslmode=require")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"]) == ("systraite", "u@x", "p/w")
    assert (db["HOST"], db["PORT"], db["OPTIONS"]) == ("db.example", "5433", {"sslmode": "require"})


@pytest.mark.parametrize(
    ("url", "name"),
    [("sqlite:///var/n.sqlite3", "var/n.sqlite3"), ("sqlite:////srv/n.sqlite3", "/srv/n.sqlite3")],
)
def test_sqlite_urls_keep_relative_and_absolute_paths(url: str, name: str) -> None:
    assert parse_database_url(url)["NAME"] == name


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host", "sqlite://"])
def test_unsupported_database_urls_name_the_variable(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL is not valid"):
        env_database("DATABASE_URL", "sqlite:///x", environ={"DATABASE_URL": url})
