"""Development without TALENT_SECRET_KEY: the key is generated once into the instance folder (mode 0600), so
every process — two gunicorn workers, a Celery worker — signs sessions and tokens with the same key."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

from talent.config import load_config

READ_KEY = "from talent.config import load_config; print(load_config()['SECRET_KEY'])"


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    instance = tmp_path / "instance"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALENT_")}
    env["TALENT_INSTANCE_PATH"] = str(instance)
    processes = [subprocess.Popen([sys.executable, "-c", READ_KEY], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True) for _ in range(6)]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(keys) == 1 and len(keys.pop()) >= 40
    key_file = instance / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert [p.name for p in instance.iterdir()] == ["secret_key"]  # no temporary files left behind
    # A later process (a restart) reads the same key.
    assert load_config({"INSTANCE_PATH": str(instance)}, environ={})["SECRET_KEY"] == key_file.read_text().strip()


def test_a_configured_key_wins_and_writes_nothing(tmp_path):
    config = load_config({"INSTANCE_PATH": str(tmp_path)}, environ={"TALENT_SECRET_KEY": "k" * 40})
    assert config["SECRET_KEY"] == "k" * 40
    assert not (tmp_path / "secret_key").exists()
