"""The resource directory (resources/*.yaml) and the referral card families get from it."""

from .directory import Directory, Resource, load_directory, require
from .referrals import card, matching
from .send import give_card, own_messages

__all__ = [
    "Directory", "Resource", "card", "give_card", "load_directory", "matching", "own_messages",
    "require",
]
