"""Flows: flows/*.yaml validated and compiled once into a shared transitions Machine."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from transitions import Machine, MachineError

from .i18n import Catalog
from .yamlfile import ContentError, LineDict, load_yaml

EXPECTS = (
    "language", "choice", "multi", "text", "date", "phone", "anumber", "zip", "review", "none",
)
ROLES = ("language", "menu", "review", "delete", "resume", "confirm")
STATE_FIELDS = {
    "say", "ask", "expect", "choices", "save", "next", "skip", "label", "quiet", "submit",
    "urgent_if", "switch_language", "understand",
}
CHOICE_FIELDS = {"id", "label", "words", "match", "next", "effect", "understood"}
# What a choice's `effect` may be: see flows/hotline.yaml.
EFFECTS = ("agent", "urgent_case", "forget", "restart", "erase", "restore", "confirm", "reject",
           "alerts_on")


@dataclass(frozen=True)
class Choice:
    """One numbered option of a question."""

    id: str
    number: int
    next: str | None
    label: str | None = None
    words: str | None = None
    match: tuple[str, ...] = ()
    effect: str | None = None
    understood: str | None = None  # said first when free text, not a number, picked it


@dataclass(frozen=True)
class State:
    """A step of a flow: what it says, what it asks, what answer it expects and where it leads."""

    name: str
    expect: str
    line: int
    say: tuple[str, ...] = ()
    ask: str | None = None
    choices: tuple[Choice, ...] = ()
    save: str | None = None
    next: str | None = None
    skip: bool = False
    label: str | None = None
    quiet: bool = False
    submit: str | None = None
    urgent_if: tuple[str, ...] = ()
    switch_language: bool = True
    understand: tuple[str, ...] = ()  # choices free text is matched to, in this order

    def choice(self, choice_id: str) -> Choice:
        for choice in self.choices:
            if choice.id == choice_id:
                return choice
        raise KeyError(choice_id)


class _Position:
    """The plain object transitions moves; a conversation's state is copied in and out."""

    state: str


@dataclass
class Flow:
    """A validated flow: its states, roles, review list and the shared Machine."""

    name: str
    path: Path
    start: str
    states: dict[str, State]
    roles: dict[str, str]
    review: list[str]
    # A question reached only through one choice of another (urgent → urgent_details):
    # follow-up → (question, choice id).
    follow_ups: dict[str, tuple[str, str]] = field(default_factory=dict)
    machine: Machine = field(repr=False, default=None)  # type: ignore[assignment]
    _position: _Position = field(repr=False, default=None)  # type: ignore[assignment]
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def role(self, role: str) -> str:
        return self.roles[role]

    def asked(self, answers: dict) -> list[str]:
        """The review's questions a texter was asked: a follow-up only after its choice."""
        asked = []
        for name in self.review:
            parent = self.follow_ups.get(name)
            if parent is not None:
                value = answers.get(self.states[parent[0]].save or "")
                chosen = value if isinstance(value, list) else [value]
                if parent[1] not in chosen:
                    continue
            asked.append(name)
        return asked

    def move(self, state: str, trigger: str) -> str:
        """The state a trigger leads to from a state, decided by the shared Machine."""
        # One plain model per flow, attached once: restoring a conversation is a set_state
        # (microseconds), where attaching a model costs a setattr per trigger and building
        # a Machine per message costs milliseconds. The lock makes it safe across threads.
        with self._lock:
            self.machine.set_state(state, model=self._position)
            try:
                self._position.trigger(trigger)
            except (MachineError, AttributeError) as exc:
                raise ValueError(f"no transition '{trigger}' from '{state}'") from exc
            return self._position.state


def _fail(flow_path: Path, line: int, message: str) -> ContentError:
    return ContentError(flow_path, line, message)


def _text_list(value: object, path: Path, line: int, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _fail(path, line, f"{what} must be a key or a list of keys")


def _parse_choices(raw: object, path: Path, state: LineDict) -> tuple[Choice, ...]:
    line = state.line_of("choices")
    if not isinstance(raw, list) or not raw:
        raise _fail(path, line, "choices must be a non-empty list")
    choices = []
    for number, item in enumerate(raw, start=1):
        item_line = getattr(item, "line", line)
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise _fail(path, item_line, "each choice needs an 'id'")
        unknown = set(item) - CHOICE_FIELDS
        if unknown:
            raise _fail(path, item_line, f"unknown field '{sorted(unknown)[0]}' in a choice")
        choices.append(
            Choice(
                id=item["id"],
                number=number,
                next=item.get("next"),
                label=item.get("label"),
                words=item.get("words"),
                match=_text_list(item.get("match"), path, item_line, "match"),
                effect=item.get("effect"),
                understood=item.get("understood"),
            )
        )
    ids = [c.id for c in choices]
    if len(set(ids)) != len(ids):
        raise _fail(path, line, "two choices have the same id")
    for choice, item in zip(choices, raw, strict=True):
        if choice.effect is not None and choice.effect not in EFFECTS:
            raise _fail(
                path, getattr(item, "line", line),
                f"unknown effect '{choice.effect}' (one of {', '.join(EFFECTS)})",
            )
    return tuple(choices)


def _parse_state(name: str, raw: object, path: Path, line: int) -> State:
    if not isinstance(raw, LineDict):
        raise _fail(path, line, f"state '{name}' must be a mapping")
    unknown = set(raw) - STATE_FIELDS
    if unknown:
        field_name = sorted(unknown)[0]
        raise _fail(path, raw.line_of(field_name), f"unknown field '{field_name}' in '{name}'")
    expect = raw.get("expect", "none")
    if expect not in EXPECTS:
        raise _fail(
            path, raw.line_of("expect"), f"expect must be one of {', '.join(EXPECTS)}"
        )
    choices = ()
    if expect in ("choice", "multi"):
        choices = _parse_choices(raw.get("choices"), path, raw)
    elif "choices" in raw:
        raise _fail(path, raw.line_of("choices"), f"choices need expect: choice, not {expect}")
    return State(
        name=name,
        expect=expect,
        line=line,
        say=_text_list(raw.get("say"), path, raw.line_of("say"), "say"),
        ask=raw.get("ask"),
        choices=choices,
        save=raw.get("save"),
        next=raw.get("next"),
        skip=bool(raw.get("skip", False)),
        label=raw.get("label"),
        quiet=bool(raw.get("quiet", False)),
        submit=raw.get("submit"),
        urgent_if=_text_list(raw.get("urgent_if"), path, raw.line_of("urgent_if"), "urgent_if"),
        switch_language=bool(raw.get("switch_language", True)),
        understand=_understand(raw, choices, path),
    )


def _understand(raw: LineDict, choices: tuple[Choice, ...], path: Path) -> tuple[str, ...]:
    """The choices free text is matched to, in order; each must be a choice with words."""
    order = _text_list(raw.get("understand"), path, raw.line_of("understand"), "understand")
    with_words = {c.id for c in choices if c.words}
    for choice_id in order:
        if choice_id not in with_words:
            raise _fail(
                path, raw.line_of("understand"),
                f"understand: '{choice_id}' is not a choice of this state with words",
            )
    return order


def _check_references(flow: Flow, raw_states: LineDict, catalog: Catalog | None) -> None:
    path = flow.path
    for state in flow.states.values():
        targets = [state.next] + [c.next for c in state.choices]
        for target in targets:
            if target is not None and target not in flow.states:
                raise _fail(path, state.line, f"'{state.name}' leads to unknown state '{target}'")
        if state.expect == "none" and not state.next:
            raise _fail(path, state.line, f"'{state.name}' asks nothing, so it needs 'next'")
        if state.expect in ("choice", "multi"):
            for choice in state.choices:
                if state.expect == "choice" and not (choice.next or state.next or choice.effect):
                    raise _fail(path, state.line, f"choice '{choice.id}' needs 'next'")
        if state.expect not in ("none", "language", "review") and not state.ask:
            raise _fail(path, state.line, f"'{state.name}' expects an answer but asks nothing")
        if catalog is None:
            continue
        keys = [*state.say, state.ask, state.label]
        keys += [k for c in state.choices for k in (c.label, c.words, c.understood)]
        for key in keys:
            if key and not catalog.has(key):
                raise _fail(path, state.line, f"'{state.name}' uses '{key}', not in en.yaml")
    for role, target in flow.roles.items():
        if target not in flow.states:
            raise _fail(path, None, f"role '{role}' names unknown state '{target}'")
    for name in flow.review:
        if name not in flow.states or not flow.states[name].save:
            raise _fail(path, None, f"review lists '{name}', which is not a question that saves")


def _follow_ups(flow: Flow) -> dict[str, tuple[str, str]]:
    """Review questions that one choice leads to, away from where the question goes next."""
    found = {}
    for name in flow.review:
        state = flow.states[name]
        for choice in state.choices:
            if choice.next in flow.review and choice.next not in (state.next, name):
                found[choice.next] = (name, choice.id)
    return found


def _compile(flow: Flow) -> Machine:
    transitions = []
    for state in flow.states.values():
        if state.next:
            transitions.append({"trigger": "answered", "source": state.name, "dest": state.next})
        for choice in state.choices:
            dest = choice.next or state.next
            if dest is None:  # the choice's effect decides where to go
                continue
            transitions.append(
                {"trigger": f"chose_{choice.id}", "source": state.name, "dest": dest}
            )
    # Keywords (MENU, back, edit N, DELETE, resume) may move a conversation anywhere.
    for name in flow.states:
        transitions.append({"trigger": f"to_{name}", "source": "*", "dest": name})
    return Machine(
        model=None,
        states=list(flow.states),
        transitions=transitions,
        initial=flow.start,
        auto_transitions=False,
    )


def load_flow(path: Path, catalog: Catalog | None = None) -> Flow:
    """Read, validate and compile one flow file."""
    raw = load_yaml(path)
    if not isinstance(raw, LineDict):
        raise _fail(path, 1, "a flow file must be a mapping with 'start' and 'states'")
    states_raw = raw.get("states")
    if not isinstance(states_raw, LineDict) or not states_raw:
        raise _fail(path, raw.line_of("states"), "a flow needs 'states'")
    states = {
        name: _parse_state(name, value, path, states_raw.line_of(name))
        for name, value in states_raw.items()
    }
    start = raw.get("start")
    if start not in states:
        raise _fail(path, raw.line_of("start"), f"start state '{start}' is not defined")
    roles = raw.get("roles") or {}
    missing = [r for r in ROLES if r not in roles]
    if missing:
        raise _fail(path, raw.line_of("roles"), f"roles need: {', '.join(missing)}")
    review = raw.get("review") or []
    flow = Flow(
        name=str(raw.get("flow") or path.stem),
        path=path,
        start=start,
        states=states,
        roles={str(k): str(v) for k, v in roles.items()},
        review=[str(x) for x in review],
    )
    _check_references(flow, states_raw, catalog)
    flow.follow_ups = _follow_ups(flow)
    flow.machine = _compile(flow)
    flow._position = _Position()
    flow.machine.add_model(flow._position, initial=flow.start)
    return flow


def load_flows(directory: Path, catalog: Catalog | None = None) -> Flow:
    """The hotline's flow from flows/hotline.yaml (one conversation flow per deployment)."""
    path = Path(directory) / "hotline.yaml"
    if not path.exists():
        raise ContentError(path, None, "the flow file is missing")
    return load_flow(path, catalog)
