"""The README is a contract with newcomers: its commands must be the ones that work."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ledger.cli import cli

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```\n(.+?)\n```", section)


def all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            found += all_commands(command, f"{prefix}{name} ")
    return found


def test_quickstart_is_two_one_line_commands():
    commands = quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in command for command in commands)
    assert "ledger ingest sources/" in commands[0] and "ledger serve" in commands[0]
    assert "'.[test]'" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quickstart_commands()[1] in ci.splitlines()


@pytest.mark.parametrize("name,command", all_commands(cli), ids=lambda value: str(value))
def test_every_command_has_help_and_is_in_the_readme(name: str, command: click.Command):
    result = CliRunner().invoke(cli, [*name.split(), "--help"])
    assert result.exit_code == 0, result.output
    assert command.help, f"`ledger {name}` has no help text"
    assert f"ledger {name}" in README, f"`ledger {name}` is not documented in README.md"


def readme_options() -> list[tuple[str, str]]:
    """(command, option) for each `--option` the README writes after `ledger COMMAND` on one
    line, up to a shell comment: what a newcomer would type."""
    found = []
    for line in re.findall(r"ledger ([a-z][a-z-]*(?: [a-z][a-z-]*)?)([^`\n]*)", README):
        words, rest = line
        command, path = cli, []
        for word in words.split():
            if isinstance(command, click.Group) and word in command.commands:
                command, path = command.commands[word], [*path, word]
        if path:
            for option in re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", rest.split("  #")[0]):
                found.append((" ".join(path), option))
    return sorted(set(found))


def test_every_option_the_readme_gives_a_command_is_one_it_takes():
    options = readme_options()
    assert len(options) > 40  # the README's examples are read, not skipped
    unknown = []
    for name, option in options:
        command = cli
        for word in name.split():
            assert isinstance(command, click.Group)
            command = command.commands[word]
        known = {"--help"} | {o for p in command.params for o in [*p.opts, *p.secondary_opts]}
        if option not in known:
            unknown.append(f"ledger {name} {option}")
    assert unknown == []
