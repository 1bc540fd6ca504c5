"""What simulated families write to the hotline: shared by the benchmarks in bench/."""

from __future__ import annotations

# First contact, menu choices, free text. Each simulated sender follows one of these and starts
# over from its second message when it reaches the end.
CONVERSATIONS = [
    ["hola", "1", "2", "más", "menu", "gracias"],
    ["hi", "1", "3", "more", "menu", "2", "thanks"],
    ["Hola, se llevaron a mi esposo esta mañana", "1", "si", "2", "menu", "0"],
    ["help", "my brother was detained yesterday, where is he?", "2", "more", "1", "menu"],
    ["HOLA", "ayuda", "3", "no", "menu", "1", "2"],
    ["Buenas tardes", "1", "2", "3", "mas", "menú", "gracias!"],
    ["hello?", "1", "yes", "2", "more", "MENU"],
]
WHATSAPP_SHARE = 0.25


def sender_number(i: int, base: int = 2_000_000) -> str:
    return f"+1555{base + i:07d}"


def text_at(conversation: list[str], turn: int) -> str:
    """A sender's message number ``turn`` (from 0): the script, then its replies again."""
    if turn < len(conversation):
        return conversation[turn]
    return conversation[1 + (turn - 1) % (len(conversation) - 1)]
