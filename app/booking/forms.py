"""The customer page's forms, each with its CSRF token: booking, cancelling, the survey and a complaint."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

# Quick reasons a customer can tick; their labels are in app/booking/i18n.py as "tag.<name>".
SURVEY_TAGS = ("on_time", "tidy", "friendly", "expert", "late", "messy", "rude", "damage")


def _scale(low: int, high: int) -> list[str]:
    # Values as the browser sends them; `coerce=int` reads them back.
    return [str(n) for n in range(low, high + 1)]


class BookForm(FlaskForm):
    start = StringField(validators=[DataRequired()])


class CancelForm(FlaskForm):
    pass


class SurveyForm(FlaskForm):
    rating = RadioField(choices=_scale(1, 5), coerce=int, validators=[InputRequired()])
    technician_rating = RadioField(choices=_scale(1, 5), coerce=int, validators=[InputRequired()])
    solved = RadioField(choices=["yes", "no"], validators=[InputRequired()])
    tags = SelectMultipleField(
        choices=list(SURVEY_TAGS),
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
    )
    comment = TextAreaField(validators=[Optional(), Length(max=2000)])
    nps = RadioField(choices=_scale(0, 10), coerce=int, validators=[Optional()])


class ComplaintForm(FlaskForm):
    description = TextAreaField(validators=[DataRequired(), Length(max=2000)])
