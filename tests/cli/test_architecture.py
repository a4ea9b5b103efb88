"""Claims of ARCHITECTURE.md that can be checked mechanically, checked.

- every shell command is listed once in `src-tauri/build.rs`, registered in
  `generate_handler!`, and granted by the main window's capability exactly
  when `ui/src/lib/api.ts` invokes it (deny by default);
- only `ui/src/lib/api.ts` calls `invoke`;
- no Svelte component renders data as HTML (`{@html}`);
- no charting library is shipped (the core draws the charts).
"""

from __future__ import annotations

import json
import re

from conftest import REPO

SHELL = REPO / "src-tauri"
UI = REPO / "ui" / "src"


def build_rs_commands() -> list[str]:
    text = (SHELL / "build.rs").read_text()
    block = text.split("const COMMANDS: &[&str] = &[", 1)[1].split("];", 1)[0]
    return re.findall(r'"([a-z_]+)"', block)


def handler_commands() -> list[str]:
    text = (SHELL / "src" / "main.rs").read_text()
    block = text.split("generate_handler![", 1)[1].split("])", 1)[0]
    return re.findall(r"commands::\w+::(\w+)", block)


def granted_commands() -> list[str]:
    capability = json.loads((SHELL / "capabilities" / "main.json").read_text())
    granted = []
    for permission in capability["permissions"]:
        assert isinstance(permission, str) and permission.startswith("allow-"), (
            f"the main window grants {permission!r}: only the app's own commands are allowed"
        )
        granted.append(permission.removeprefix("allow-").replace("-", "_"))
    return granted


def invoked_commands() -> set[str]:
    return set(re.findall(r"invoke(?:<[^()]*?>)?\(\s*'([a-z_]+)'", (UI / "lib" / "api.ts").read_text()))


def ui_sources():
    return [p for p in UI.rglob("*") if p.suffix in {".ts", ".svelte"} and p.is_file()]


def test_every_command_is_listed_registered_and_granted_only_if_the_ui_uses_it():
    listed = build_rs_commands()
    assert len(listed) == len(set(listed)), "a command is listed twice in build.rs"
    assert sorted(listed) == sorted(handler_commands()), "build.rs and generate_handler! differ"
    granted = granted_commands()
    assert len(granted) == len(set(granted)), "a permission is granted twice"
    assert set(granted) <= set(listed), f"granted but not a command: {set(granted) - set(listed)}"
    invoked = invoked_commands()
    assert invoked, "no invoke call found in api.ts"
    assert invoked == set(granted), (
        f"invoked but not granted: {invoked - set(granted)}; granted but unused: {set(granted) - invoked}"
    )


def test_only_api_ts_calls_invoke():
    api = UI / "lib" / "api.ts"
    offenders = [
        str(p.relative_to(REPO))
        for p in ui_sources()
        if p != api and not p.name.endswith(".test.ts") and re.search(r"\binvoke\s*[<(]", p.read_text())
    ]
    assert offenders == []


def test_no_component_renders_html_from_a_string():
    offenders = [str(p.relative_to(REPO)) for p in ui_sources() if "{@html" in p.read_text()]
    assert offenders == []


def test_no_charting_library_is_shipped():
    package = json.loads((REPO / "ui" / "package.json").read_text())
    deps = {**package.get("dependencies", {}), **package.get("devDependencies", {})}
    assert not {"chart.js", "d3", "echarts"} & set(deps)
