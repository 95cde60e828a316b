"""Amounts in French words, as a letter or a convention writes them: « sept mille cinq cents
euros », « un million d'euros », « deux euros et quarante centimes ».

num2words spells the numbers (French rules: « quatre-vingts », « vingt et un », « deux cents »
but « deux cent un »); this module adds the currency with its own agreement rules, which
num2words' currency mode gets wrong for whole millions."""

from decimal import ROUND_HALF_UP, Decimal

from num2words import num2words

CENT = Decimal("0.01")


def _spelled(number: int) -> str:
    return num2words(number, lang="fr")


def _unit(number: int, singular: str, plural: str) -> str:
    words = _spelled(number)
    if number in (0, 1):
        return f"{words} {singular}"
    # « un million d'euros », « deux milliards d'euros », but « un million deux cents euros ».
    if words.endswith(("million", "millions", "milliard", "milliards")):
        return f"{words} d'{plural}" if plural[0] in "aeiouy" else f"{words} de {plural}"
    return f"{words} {plural}"


def amount_in_words(amount: Decimal | int | str) -> str:
    """`Decimal("7500")` → « sept mille cinq cents euros »; `Decimal("7500.40")` → « sept mille
    cinq cents euros et quarante centimes »; `Decimal("0.50")` → « cinquante centimes »."""
    value = Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("Un montant en lettres ne peut pas être négatif.")
    euros = int(value)
    cents = int((value - euros) * 100)
    if euros == 0 and cents:
        return _unit(cents, "centime", "centimes")
    text = _unit(euros, "euro", "euros")
    if cents:
        text += " et " + _unit(cents, "centime", "centimes")
    return text
