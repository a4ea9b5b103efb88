"""`hotline about` run as a process."""

import os
import subprocess

from conftest import CLI_BIN, cli_json, run_cli


def test_about_reports_the_given_data_dir_and_no_vault(data_dir):
    about = cli_json(run_cli(data_dir, "about", "--json"))
    assert about["data_dir"] == str(data_dir)
    assert about["vault_exists"] is False
    assert about["sqlcipher_version"].startswith("4.")


def test_data_dir_comes_from_the_environment(tmp_path):
    env = dict(os.environ, HOTLINE_DATA_DIR=str(tmp_path))
    out = subprocess.run([str(CLI_BIN), "about", "--json"], capture_output=True,
                         text=True, env=env, check=True)
    assert str(tmp_path) in out.stdout


def test_unknown_subcommand_fails_with_usage_on_stderr(data_dir):
    result = run_cli(data_dir, "no-such-command")
    assert result.returncode != 0
    assert "no-such-command" in result.stderr
    assert result.stdout == ""
