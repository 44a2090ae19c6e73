"""Strings shown to users that are chosen at run time, marked here for extraction.

``pybabel extract`` finds ``_("...")`` calls; a role or status name that
reaches a template as data is translated there with ``_(value)``, so its
msgid must be listed somewhere: here.
"""

from marsad.core.i18n import gettext as _


def N_(message: str) -> str:  # noqa: N802 - the usual name of gettext's no-op marker
    """Mark ``message`` for extraction without translating it now (it is translated later,
    in the reader's language, e.g. a nav label when the page is rendered)."""
    return message


RUNTIME_STRINGS = (
    _("admin"),
    _("reviewer"),
    _("analyst"),
    # detect: labels and review states shown from data
    _("offensive"),
    _("hate"),
    _("violence"),
    _("extremism"),
    _("pending"),
    _("confirmed"),
    _("rejected"),
    # detect: glossary categories, target groups and statuses shown from data
    _("slur"),
    _("dehumanising"),
    _("incitement"),
    _("extremist_slogan"),
    _("sect"),
    _("ethnicity"),
    _("religion"),
    _("tribe"),
    _("gender"),
    _("political_affiliation"),
    _("nationality"),
    _("disability"),
    _("draft"),
    _("published"),
    _("retired"),
    # coordination: successor features shown from data
    _("handle"),
    _("display_name"),
    _("avatar"),
    _("bio"),
    _("bio_links"),
    _("followers"),
    _("vocabulary"),
    _("rhythm"),
    _("style"),
    _("cosharers"),
    _("timing"),
    # coordination: methods shown from data
    _("links"),
    _("text"),
    _("hashtags"),
    _("shares"),
)

# The languages of texts (marsad.core.text.detect_language, a glossary term's language),
# by code, for pages that show one: translate with _(LANGUAGE_LABELS[code]).
LANGUAGE_LABELS = {
    "ar": N_("Arabic"),
    "ckb": N_("Kurdish (Sorani)"),
    "kmr": N_("Kurdish (Kurmanji)"),
    "en": N_("English"),
    "other": N_("Other language"),
}
