"""Settings come from the environment; production refuses the embedded secret."""

from __future__ import annotations

import subprocess
import sys

from tests.servers import ROOT, base_env

ENGINE_AND_LAYER = "settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND']"


# Read by the settings these tests look at: taken from the caller's environment, a developer's
# exported DATABASE_URL would turn "the embedded default" into PostgreSQL.
CHOSEN_BY_THE_ENVIRONMENT = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "DB_PREPARE_THRESHOLD", "SPEAKER_SECONDS")


def load_settings(show: str = ENGINE_AND_LAYER, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in base_env(**env).items() if name in env or name not in CHOSEN_BY_THE_ENVIRONMENT}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import settings; print({show})",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_refuses_to_start_with_the_embedded_secret() -> None:
    result = load_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_starts_with_its_own_secret_database_and_redis() -> None:
    result = load_settings(
        DEBUG="0", SECRET_KEY="x" * 50, DATABASE_URL="postgres://hop@127.0.0.1:5432/hop", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "channels_redis.pubsub.RedisPubSubChannelLayer"]


def test_the_embedded_default_is_sqlite_and_an_in_memory_layer() -> None:
    result = load_settings()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "channels.layers.InMemoryChannelLayer"]


def test_postgresql_prepares_the_live_commands_statements_unless_told_not_to() -> None:
    """Behind PgBouncer older than 1.21 prepared statements break; DB_PREPARE_THRESHOLD=off is the way out."""
    show = "settings.DATABASES['default']['OPTIONS']['prepare_threshold']"
    postgres = "postgres://hop@127.0.0.1:5432/hop"
    assert load_settings(show, DATABASE_URL=postgres).stdout.split() == ["5"]
    assert load_settings(show, DATABASE_URL=postgres, DB_PREPARE_THRESHOLD="off").stdout.split() == ["None"]


def test_the_speaking_time_is_whole_minutes_within_an_hour() -> None:
    """A secretary sets it in minutes, and a speech can be extended to an hour at most."""
    assert load_settings("settings.SPEAKER_SECONDS", SPEAKER_SECONDS="300").stdout.split() == ["300"]
    for refused in ("90", "30", "7200"):
        result = load_settings("settings.SPEAKER_SECONDS", SPEAKER_SECONDS=refused)
        assert result.returncode != 0
        assert "SPEAKER_SECONDS" in result.stderr


def test_behind_nginx_static_files_are_named_by_their_content_and_embedded_they_keep_their_names() -> None:
    show = "settings.STORAGES['staticfiles']['BACKEND']"
    assert load_settings(show, SERVE_STATIC="0").stdout.split() == ["static_files.VersionedStaticFilesStorage"]
    assert load_settings(show).stdout.split() == ["django.contrib.staticfiles.storage.StaticFilesStorage"]


def test_mail_can_be_written_to_files_where_the_environment_says() -> None:
    """A machine without a mail server: the file backend, and the folder it writes each message to."""
    show = "settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH, settings.EMAIL_USE_SSL"
    file_backend = "django.core.mail.backends.filebased.EmailBackend"
    result = load_settings(show, EMAIL_BACKEND=file_backend, EMAIL_FILE_PATH="/var/mail/hop", EMAIL_USE_SSL="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [file_backend, "/var/mail/hop", "True"]
