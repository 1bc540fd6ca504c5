"""The translated locales in a conversation: choosing a language, keywords in that language."""

import pytest


def test_english_by_name_at_the_language_menu(chat):
    chat.send("xyz")
    menu = chat.send("English")
    assert chat.snapshot.locale == "en"
    assert "1 What is prosecutorial discretion?" in menu


@pytest.mark.parametrize(
    ("greeting", "first"),
    [("hello", "1 English"), ("Hola!", "1 Español"), ("bonjour", "1 Français"),
     ("oi", "1 Português"), ("kumusta", "1 Tagalog"), ("bonjou", "1 Kreyòl ayisyen")],
)
def test_a_one_word_greeting_puts_its_language_first(chat, greeting, first):
    assert first in chat.send(greeting)


def test_an_unknown_word_offers_no_language(chat):
    reply = chat.send("evil")
    assert "1 English" in reply
    assert chat.keys == ["welcome.intro", "language.menu"]


def test_a_spanish_sentence_is_answered_in_spanish(chat):
    reply = chat.send("Hola, arrestaron a mi hermano ayer")
    assert "¿Español? Responda 1." in reply
    assert "1 Español" in reply
    # The sentence told of an arrest: in Spanish, straight to the questions, consent first.
    reply = chat.send("sí")
    assert "Siento mucho lo que le pasó a su familia." in reply
    assert "Solo las leen nuestros defensores" in reply and "¿Está bien?\n1 Sí\n2 No" in reply
    assert chat.state == "consent"
    assert "1 ¿Qué es la discreción procesal?" in chat.send("2")  # no consent: still offered


def test_spanish_keywords_skip_go_back_and_reach_a_person(chat):
    chat.send("Español")
    for answer in ("2", "sí", "2", "1"):  # arrest; consent; not urgent; parent
        chat.send(answer)
    assert chat.state == "name"
    assert "¿En qué país nació la persona?" in chat.send("no sé")
    assert chat.answers["name"] is None
    chat.send("atrás")
    assert chat.state == "name"
    reply = chat.send("agente")
    assert "Una persona de nuestro equipo le va a escribir" in reply
    assert chat.effects == ["open_case"]
    assert chat.state == "name"


def test_menu_option_five_opens_a_case(chat):
    chat.send("Kreyòl")
    reply = chat.send("5")
    assert "Yon moun nan ekip nou an ap ekri w" in reply
    assert chat.effects == ["open_case"]


@pytest.mark.parametrize(("language", "word"), [("Español", "basta"), ("Tagalog", "tigil"),
                                                ("Français", "désabonner")])
def test_a_local_stop_word_opts_out(chat, language, word):
    chat.send(language)
    chat.send(word)
    assert chat.effects == ["opt_out"]
    assert chat.send("hola") == ""
