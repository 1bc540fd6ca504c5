"""The conversation engine's step alone: pure, no I/O, per message of the benchmark's mix.

    python bench/engine_step.py [--senders 300] [--turns 10] [--profile]

Runs the messages of bench/traffic.py through ``bot.conversation`` (the same flows, locales
and language detector as the app) and prints the CPU time per message of ``Engine.step``, and
of ``Engine.render`` (the replies' text) beside it. A first pass over the same messages warms
the caches and the date parser, as a worker's first minutes do.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.traffic import CONVERSATIONS, WHATSAPP_SHARE, sender_number, text_at  # noqa: E402


@dataclass
class StepFigures:
    messages: int
    step_us: float  # median over the repeats, microseconds of CPU per message
    render_us: float


def mix(senders: int, turns: int, seed: int = 1) -> list[tuple[int, str, str, str]]:
    """(sender index, sender, channel, text): each sender's turns, senders interleaved."""
    rng = random.Random(seed)
    profiles = [
        (sender_number(i), "whatsapp" if rng.random() < WHATSAPP_SHARE else "sms",
         rng.choice(CONVERSATIONS))
        for i in range(senders)
    ]
    return [
        (i, number, channel, text_at(conversation, turn))
        for turn in range(turns)
        for i, (number, channel, conversation) in enumerate(profiles)
    ]


def measure(senders: int = 300, turns: int = 10, repeats: int = 3) -> StepFigures:
    from bot.conversation.engine import Engine, Inbound, Snapshot
    from bot.conversation.flows import load_flows
    from bot.conversation.i18n import load_catalog
    from bot.conversation.language import detect

    catalog = load_catalog(REPO / "locales")
    engine = Engine(load_flows(REPO / "flows", catalog), catalog, detect=detect)
    messages = mix(senders, turns)
    params = {"hotline": "Family Hotline", "ref": "K7F-3QX"}

    def one_pass() -> tuple[float, float]:
        snapshots = [Snapshot() for _ in range(senders)]
        now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
        step_ns = render_ns = 0
        for i, number, channel, text in messages:
            now += timedelta(milliseconds=50)
            inbound = Inbound(text=text, now=now, channel=channel, sender=number)
            started = time.process_time_ns()
            result = engine.step(snapshots[i], inbound)
            stepped = time.process_time_ns()
            engine.render(result, params)
            render_ns += time.process_time_ns() - stepped
            step_ns += stepped - started
            snapshots[i] = result.snapshot
        return step_ns / 1000 / len(messages), render_ns / 1000 / len(messages)

    one_pass()  # warm: caches, dateparser's first parse, the language detector's models
    runs = sorted(one_pass() for _ in range(repeats))
    step, render = runs[len(runs) // 2]
    return StepFigures(len(messages), step, render)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--senders", type=int, default=300)
    p.add_argument("--turns", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--profile", action="store_true", help="print a cProfile of one pass")
    args = p.parse_args(argv)
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        measure(args.senders, args.turns, repeats=1)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        return 0
    figures = measure(args.senders, args.turns, args.repeats)
    print(
        f"engine step alone: {figures.step_us:.0f} µs/message of CPU "
        f"(render: {figures.render_us:.0f} µs), {figures.messages} messages of the mix"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
