"""Phone numbers: what the user typed → the API's digits-only international form.

``phonenumbers`` is imported inside the functions: importing it costs tens of milliseconds, and
its geocoder (which holds country names) costs half a second, so country names live in a compact
table here instead.

Digits without ``+`` are ambiguous: ``919591471711`` may be a local number in the profile's
region or a foreign number in the API's form (country code, no ``+``). If only one reading is a
valid number, that's it. If both are, and they differ:
- with separators (``9195 91471711``) a person typed it: the local reading;
- bare digits where locals would write a trunk prefix (a German writes ``09195 91471711``): the
  API form;
- otherwise (a bare Chinese mobile that is also a US number) it is refused, naming both numbers:
  a guess would sometimes message a stranger.
So re-reading a result's ``digits`` under any region gives the same number or that refusal, never
another number (tests/unit/test_properties_text.py checks it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from comms_tui.api.errors import InvalidInput

if TYPE_CHECKING:
    import phonenumbers

__all__ = ["PhoneNumber", "country_name", "normalise_phone", "split_recipients"]

# English names for phonenumbers' regions (from its geocoder data, tidied; AC/TA/XK added).
_REGION_TABLE = (
    "AC=Ascension Island;AD=Andorra;AE=United Arab Emirates;AF=Afghanistan;"
    "AG=Antigua and Barbuda;AI=Anguilla;AL=Albania;AM=Armenia;AO=Angola;AR=Argentina;"
    "AS=American Samoa;AT=Austria;AU=Australia;AW=Aruba;AX=Åland Islands;AZ=Azerbaijan;"
    "BA=Bosnia and Herzegovina;BB=Barbados;BD=Bangladesh;BE=Belgium;BF=Burkina Faso;"
    "BG=Bulgaria;BH=Bahrain;BI=Burundi;BJ=Benin;BL=Saint Barthélemy;BM=Bermuda;BN=Brunei;"
    "BO=Bolivia;BQ=Bonaire, Sint Eustatius and Saba;BR=Brazil;BS=Bahamas;BT=Bhutan;BW=Botswana;"
    "BY=Belarus;BZ=Belize;CA=Canada;CC=Cocos Islands;CD=DR Congo;CF=Central African Republic;"
    "CG=Congo;CH=Switzerland;CI=Côte d'Ivoire;CK=Cook Islands;CL=Chile;CM=Cameroon;CN=China;"
    "CO=Colombia;CR=Costa Rica;CU=Cuba;CV=Cape Verde;CW=Curaçao;CX=Christmas Island;CY=Cyprus;"
    "CZ=Czechia;DE=Germany;DJ=Djibouti;DK=Denmark;DM=Dominica;DO=Dominican Republic;DZ=Algeria;"
    "EC=Ecuador;EE=Estonia;EG=Egypt;EH=Western Sahara;ER=Eritrea;ES=Spain;ET=Ethiopia;"
    "FI=Finland;FJ=Fiji;FK=Falkland Islands;FM=Micronesia;FO=Faroe Islands;FR=France;GA=Gabon;"
    "GB=United Kingdom;GD=Grenada;GE=Georgia;GF=French Guiana;GG=Guernsey;GH=Ghana;"
    "GI=Gibraltar;GL=Greenland;GM=Gambia;GN=Guinea;GP=Guadeloupe;GQ=Equatorial Guinea;"
    "GR=Greece;GT=Guatemala;GU=Guam;GW=Guinea-Bissau;GY=Guyana;HK=Hong Kong;HN=Honduras;"
    "HR=Croatia;HT=Haiti;HU=Hungary;ID=Indonesia;IE=Ireland;IL=Israel;IM=Isle of Man;IN=India;"
    "IO=British Indian Ocean Territory;IQ=Iraq;IR=Iran;IS=Iceland;IT=Italy;JE=Jersey;"
    "JM=Jamaica;JO=Jordan;JP=Japan;KE=Kenya;KG=Kyrgyzstan;KH=Cambodia;KI=Kiribati;KM=Comoros;"
    "KN=Saint Kitts and Nevis;KP=North Korea;KR=South Korea;KW=Kuwait;KY=Cayman Islands;"
    "KZ=Kazakhstan;LA=Laos;LB=Lebanon;LC=Saint Lucia;LI=Liechtenstein;LK=Sri Lanka;LR=Liberia;"
    "LS=Lesotho;LT=Lithuania;LU=Luxembourg;LV=Latvia;LY=Libya;MA=Morocco;MC=Monaco;MD=Moldova;"
    "ME=Montenegro;MF=Saint Martin;MG=Madagascar;MH=Marshall Islands;MK=North Macedonia;"
    "ML=Mali;MM=Myanmar;MN=Mongolia;MO=Macao;MP=Northern Mariana Islands;MQ=Martinique;"
    "MR=Mauritania;MS=Montserrat;MT=Malta;MU=Mauritius;MV=Maldives;MW=Malawi;MX=Mexico;"
    "MY=Malaysia;MZ=Mozambique;NA=Namibia;NC=New Caledonia;NE=Niger;NF=Norfolk Island;"
    "NG=Nigeria;NI=Nicaragua;NL=Netherlands;NO=Norway;NP=Nepal;NR=Nauru;NU=Niue;NZ=New Zealand;"
    "OM=Oman;PA=Panama;PE=Peru;PF=French Polynesia;PG=Papua New Guinea;PH=Philippines;"
    "PK=Pakistan;PL=Poland;PM=Saint Pierre and Miquelon;PR=Puerto Rico;PS=Palestine;"
    "PT=Portugal;PW=Palau;PY=Paraguay;QA=Qatar;RE=Reunion;RO=Romania;RS=Serbia;RU=Russia;"
    "RW=Rwanda;SA=Saudi Arabia;SB=Solomon Islands;SC=Seychelles;SD=Sudan;SE=Sweden;"
    "SG=Singapore;SH=Saint Helena;SI=Slovenia;SJ=Svalbard and Jan Mayen;SK=Slovakia;"
    "SL=Sierra Leone;SM=San Marino;SN=Senegal;SO=Somalia;SR=Suriname;SS=South Sudan;"
    "ST=Sao Tome and Principe;SV=El Salvador;SX=Sint Maarten;SY=Syria;SZ=Eswatini;"
    "TA=Tristan da Cunha;TC=Turks and Caicos Islands;TD=Chad;TG=Togo;TH=Thailand;TJ=Tajikistan;"
    "TK=Tokelau;TL=Timor-Leste;TM=Turkmenistan;TN=Tunisia;TO=Tonga;TR=Turkey;"
    "TT=Trinidad and Tobago;TV=Tuvalu;TW=Taiwan;TZ=Tanzania;UA=Ukraine;UG=Uganda;"
    "US=United States;UY=Uruguay;UZ=Uzbekistan;VA=Vatican City;"
    "VC=Saint Vincent and the Grenadines;VE=Venezuela;VG=British Virgin Islands;"
    "VI=U.S. Virgin Islands;VN=Vietnam;VU=Vanuatu;WF=Wallis and Futuna;WS=Samoa;XK=Kosovo;"
    "YE=Yemen;YT=Mayotte;ZA=South Africa;ZM=Zambia;ZW=Zimbabwe"
)
_REGION_NAMES: dict[str, str] = dict(entry.split("=", 1) for entry in _REGION_TABLE.split(";"))

_SEPARATOR_CHARS = frozenset("-.()/")
# "+44 (0)20 …": the (0) is the trunk prefix, dialled only from inside the country.
_TRUNK_IN_INTERNATIONAL = re.compile(r"\(\s*0\s*\)")
_NON_DIGITS = re.compile(r"[^0-9]")
_RECIPIENT_SPLIT = re.compile(r"[,;\r\n]")
_MAX_SHOWN = 32
# E.164 says 15, but phonenumbers validates some longer national numbers (e.g. German 0800s):
# allow its maximum (17-digit national number + 3-digit country code) and let it judge.
_MAX_DIGITS = 20


def country_name(region: str | None) -> str:
    """English name for an ISO region code; the code itself when unknown."""
    if region is None:
        return "International"
    return _REGION_NAMES.get(region.upper(), region.upper())


@dataclass(frozen=True)
class PhoneNumber:
    """A valid number. ``digits`` (country code + national number) is what the API takes."""

    digits: str
    region: str | None
    country: str

    @property
    def e164(self) -> str:
        return "+" + self.digits

    @property
    def international(self) -> str:
        return _format_international(self.digits)

    def masked(self) -> str:
        """``9195*****711``: first 4 and last 3 digits, at least 3 hidden even in short numbers."""
        n = len(self.digits)
        head = max(0, min(4, n - 6))
        tail = max(0, min(3, n - head - 3))
        return self.digits[:head] + "*" * (n - head - tail) + self.digits[n - tail :]


def split_recipients(text: str) -> list[str]:
    """Split on commas, semicolons and newlines (not spaces: numbers contain them); dedupe."""
    parts = (part.strip() for part in _RECIPIENT_SPLIT.split(text))
    return list(dict.fromkeys(part for part in parts if part))


def normalise_phone(text: str, default_region: str | None = None) -> PhoneNumber:
    """Read a typed number; ``default_region`` (e.g. ``IN``) gives meaning to local forms.

    Raises ``InvalidInput(field="to")`` saying what is wrong in the user's terms.
    """
    region = default_region.upper() if default_region else None
    result = _normalise(text, region)
    if isinstance(result, str):
        raise InvalidInput(result, field="to")
    return result


@lru_cache(maxsize=8192)
def _normalise(text: str, region: str | None) -> PhoneNumber | str:
    """The parsed number, or the error message (cached too: inline validation repeats inputs)."""
    import phonenumbers as pn

    raw = text.strip()
    if not raw:
        return "Enter a phone number"
    shown = f"“{raw if len(raw) <= _MAX_SHOWN else raw[: _MAX_SHOWN - 1] + '…'}”"
    if any(c.isalpha() for c in raw):
        return f"{shown} contains letters; a phone number is digits only"
    bad = next(
        (c for c in raw if not (c in "0123456789+" or c in _SEPARATOR_CHARS or c.isspace())), ""
    )
    if bad:
        return f"{shown} contains “{bad}”, which can't be part of a phone number"
    lead = raw.lstrip("( ")  # "(+91) 95914 71711" is written too
    if raw.count("+") > 1 or (raw.count("+") == 1 and not lead.startswith("+")):
        return f"{shown} has a + in the middle; + can only come first, before the country code"
    if not any(c.isdigit() for c in raw):
        return f"{shown} has no digits; enter a phone number"
    if region not in pn.SUPPORTED_REGIONS:
        region = None  # a profile with a region we don't know: only the international reading

    international = lead.startswith(("+", "00"))
    digits = _NON_DIGITS.sub("", _TRUNK_IN_INTERNATIONAL.sub("", raw) if international else raw)
    if international and not lead.startswith("+"):
        digits = digits[2:]  # the 00 international prefix
    if len(digits) < 3:
        return f"{shown} is too short to be a phone number"
    if len(digits) > _MAX_DIGITS:
        return f"{shown} is too long to be a phone number"

    if international or region is None:
        intl = _literal(digits) or _reading("+" + digits, None)
        if isinstance(intl, PhoneNumber):
            return intl
        if international:
            return f"{shown} {intl}"
        # No region to read a national number in: say how it was read, or 9591471711 (an
        # Indian mobile without 91) reads as an unexplained "not valid for Myanmar (+95)".
        return (
            f"{shown} {intl}, read as country code and number (no default region is set): "
            "type + and the country code"
        )
    home_code = str(pn.country_code_for_region(region))
    other = _literal(digits)
    local: PhoneNumber | str | None = _literal(home_code + digits)
    if local is None and other is not None and digits.startswith(home_code):
        return other  # the API form of a home number (what parse() would find, 3× faster)
    local = local or _reading(digits, region)
    if isinstance(local, PhoneNumber):
        if other is None or other == local or not raw.isdigit():
            return local
        if _written_without_trunk_prefix(digits, local, region):
            return other
        return (
            f"{shown} could be {local.country} {local.international} or {other.country} "
            f"{other.international}: type it with + and the country code"
        )
    intl = other or _reading("+" + digits, None)
    return intl if isinstance(intl, PhoneNumber) else f"{shown} {local}"


def _written_without_trunk_prefix(digits: str, local: PhoneNumber, region: str) -> bool:
    """True if people in ``region`` would write ``local`` with a trunk prefix ``digits`` lacks.

    Germans write 09195 91471711, so bare 919591471711 there is the API form of an Indian
    number; a Chinese mobile (131 2345 6789) is written without one, so that stays ambiguous.
    """
    import phonenumbers as pn

    metadata = pn.PhoneMetadata.metadata_for_region(region)
    prefix = metadata.national_prefix if metadata else None
    if not prefix or digits.startswith(prefix):
        return False
    national = pn.format_number(pn.parse("+" + local.digits), pn.PhoneNumberFormat.NATIONAL)
    return _NON_DIGITS.sub("", national).startswith(prefix)


def _reading(text: str, region: str | None) -> PhoneNumber | str:
    """phonenumbers' reading of the text: the number, or why it isn't one (a predicate)."""
    import phonenumbers as pn

    try:
        number = pn.parse(text, region)
    except pn.NumberParseException as exc:
        return _parse_failure(exc)
    cc = number.country_code or 0  # always set by parse(); the stubs allow None
    accepted = _accept(number, cc, pn.national_significant_number(number))
    if accepted is not None:
        return accepted
    reason = pn.is_possible_number_with_reason(number)
    # LOCAL_ONLY: diallable only inside its area, so too short for an SMS recipient.
    if reason in (pn.ValidationResult.TOO_SHORT, pn.ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return "is too short to be a phone number"
    if reason == pn.ValidationResult.TOO_LONG:
        return "is too long to be a phone number"
    if reason == pn.ValidationResult.INVALID_LENGTH:
        return f"has the wrong number of digits for {_country_of_code(cc)}"
    return f"is not a valid phone number for {_country_of_code(cc)}"


def _literal(digits: str) -> PhoneNumber | None:
    """``digits`` taken literally as country code + national number, if that is a valid number.

    Tried before ``parse`` (which costs ~20 µs: this is several times cheaper) and it reads a
    result's own ``digits`` back as exactly that result, which keeps re-reading idempotent.
    """
    import phonenumbers as pn

    if digits.startswith("0"):  # no country code starts with 0 (int() would drop it)
        return None
    for length in (1, 2, 3):  # country codes are prefix-free
        cc = int(digits[:length])
        if cc in pn.COUNTRY_CODE_TO_REGION_CODE:
            break
    else:
        return None
    nsn = digits[length:]
    if not nsn:
        return None
    number = pn.PhoneNumber(country_code=cc, national_number=int(nsn))
    zeros = len(nsn) - len(nsn.lstrip("0"))
    if zeros:  # e.g. Italy: the leading 0 is part of the number
        number.italian_leading_zero = True
        kept = min(zeros, len(nsn) - 1)  # as parse() does: an all-zero number keeps one digit
        number.number_of_leading_zeros = kept if kept > 1 else None
    return _accept(number, cc, nsn)


def _accept(number: phonenumbers.PhoneNumber, cc: int, nsn: str) -> PhoneNumber | None:
    """Our result for a valid (or sandbox-fictional) number, else None."""
    import phonenumbers as pn

    # is_valid_number() would look the region up itself; doing it once saves a NANP scan.
    found = pn.region_code_for_number(number)
    valid = found is not None and pn.is_valid_number_for_region(number, found)
    if not (valid or _is_fictional(cc, nsn)):
        return None
    found = found or pn.region_code_for_country_code(cc)
    geographic = found not in ("001", "ZZ")
    return PhoneNumber(
        digits=f"{cc}{nsn}",
        region=found if geographic else None,
        country=country_name(found) if geographic else "International",
    )


def _parse_failure(exc: phonenumbers.NumberParseException) -> str:
    import phonenumbers as pn

    kind = exc.error_type
    if kind == pn.NumberParseException.INVALID_COUNTRY_CODE:
        return "doesn't start with a known country code"
    if kind == pn.NumberParseException.TOO_LONG:
        return "is too long to be a phone number"
    return "is too short to be a phone number"


def _country_of_code(cc: int) -> str:
    import phonenumbers as pn

    main = pn.region_code_for_country_code(cc)
    name = "international numbers" if main in ("001", "ZZ") else country_name(main)
    return f"{name} (+{cc})"


def _is_fictional(cc: int, nsn: str) -> bool:
    """+1 202-555-0100…0199: never assigned; the sandbox's fault-injection recipients."""
    return cc == 1 and len(nsn) == 10 and nsn.startswith("20255501")


@lru_cache(maxsize=4096)
def _format_international(digits: str) -> str:
    import phonenumbers as pn

    number = pn.parse("+" + digits)
    return str(pn.format_number(number, pn.PhoneNumberFormat.INTERNATIONAL))
