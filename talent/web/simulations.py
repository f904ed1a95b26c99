"""Policy simulation pages (officers, administrators and analysts): make a reform, run it over the platform's
applications or an uploaded population while the officer waits, read the result, compare saved runs, and see
how one case would fare under a saved reform."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from talent.auth import requires
from talent.db import db
from talent.i18n import current_language
from talent.input_limits import LONG_TEXTS
from talent.models.applications import Application
from talent.services import InvalidInput, NotFound
from talent.services import simulations as simulations_service
from talent.web.case_labels import install_template_helpers, programme_name
from talent.web.charts import bar_chart, svg_response
from talent.web.dashboard import READERS

bp = Blueprint("simulations", __name__, url_prefix="/officer/simulations")
install_template_helpers(bp)

ROWS = 3  # parameter changes the form offers (more: write the reform as YAML)
MAX_COMPARED = 4


class SimulationForm(FlaskForm):
    title_zh = StringField(_l("调整名称（中文）"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("调整名称（英文）"), validators=[Optional(), Length(max=200)])
    reform_yaml = TextAreaField(_l("或以 YAML 填写调整（政策文件格式）"), validators=[Optional(), Length(max=LONG_TEXTS["reform_yaml"])])
    population = RadioField(_l("测算人群"), default="platform", choices=[
        SelectChoice("platform", _l("平台上的全部申请（按已作决定的信息）")),
        SelectChoice("upload", _l("上传人群文件（JSON Lines，每行一人）")),
    ])
    population_file = FileField(_l("人群文件"))
    years = IntegerField(_l("测算年数"), default=5, validators=[NumberRange(1, 30, _l("请填写 1 到 30 之间的整数"))])
    from_year = IntegerField(_l("起始年份"), validators=[Optional(), NumberRange(2000, 2100,
                                                                              _l("请填写 2000 到 2100 之间的年份"))])


for _k in range(1, ROWS + 1):
    setattr(SimulationForm, f"parameter_{_k}", SelectField(_l("参数"), validators=[Optional()], validate_choice=False))
    setattr(SimulationForm, f"date_{_k}", DateField(_l("生效日期"), validators=[Optional()]))
    setattr(SimulationForm, f"value_{_k}", IntegerField(_l("新数值"), validators=[Optional()]))


def _parameter_choices() -> list[SelectChoice]:
    language = current_language()
    choices = [SelectChoice("", _("（不调整）"))]
    for entry in simulations_service.reform_parameters():
        description = entry["description"].get(language) or entry["name"]
        current = "，".join(f"{policy}: {value:,}" for policy, value in entry["values"].items()) if language == "zh" \
            else ", ".join(f"{policy}: {value:,}" for policy, value in entry["values"].items())
        choices.append(SelectChoice(entry["name"], f"{description} ({current})"))
    return choices


def _form() -> SimulationForm:
    form = SimulationForm()
    choices = _parameter_choices()
    for k in range(1, ROWS + 1):
        getattr(form, f"parameter_{k}").choices = choices
    return form


def _reform_text(form: SimulationForm) -> str | None:
    """The reform as YAML: the text field when filled, else the rows; None (with field errors) when incomplete."""
    text = (form.reform_yaml.data or "").strip()
    if text:
        return text
    known = {entry["name"] for entry in simulations_service.reform_parameters()}
    rows = []
    for k in range(1, ROWS + 1):
        name = getattr(form, f"parameter_{k}").data or ""
        day, value = getattr(form, f"date_{k}").data, getattr(form, f"value_{k}").data
        if not name and day is None and value is None:
            continue
        if name not in known:
            getattr(form, f"parameter_{k}").errors = [_("请选择要调整的参数")]
        if day is None:
            getattr(form, f"date_{k}").errors = [_("请填写生效日期")]
        if value is None:
            getattr(form, f"value_{k}").errors = [_("请填写新数值（整数）")]
        elif value < 0:
            getattr(form, f"value_{k}").errors = [_("数值不能为负")]
        if name in known and day is not None and value is not None and value >= 0:
            rows.append((name, day, value))
    if any(getattr(form, f"{field}_{k}").errors for k in range(1, ROWS + 1) for field in ("parameter", "date", "value")):
        return None
    if not rows:
        form.parameter_1.errors = [_("请至少调整一个参数，或以 YAML 填写调整")]
        return None
    return simulations_service.reform_from_rows(form.title_zh.data or "", form.title_en.data or "", rows)


def _uploaded_population(form: SimulationForm) -> list[Any] | None:
    upload = form.population_file.data
    if upload is None or not getattr(upload, "filename", ""):
        form.population_file.errors = [_("请选择人群文件")]
        return None
    raw = upload.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        form.population_file.errors = [_("文件须为 UTF-8 编码的 JSON Lines")]
        return None
    population: list[Any] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            population.append(json.loads(line))
        except ValueError:
            population.append(None)  # counted as refused, as `talent rules simulate` does
    if not population:
        form.population_file.errors = [_("文件中没有人")]
        return None
    return population


@bp.route("/", methods=["GET", "POST"])
@requires(*READERS)
def index() -> Any:
    form = _form()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            reform_text = _reform_text(form)
            population = _uploaded_population(form) if form.population.data == "upload" else None
            if reform_text is not None and (form.population.data != "upload" or population is not None):
                try:
                    simulation = simulations_service.run_simulation(
                        db.session, current_user, reform_text=reform_text, population=population,
                        years=form.years.data or 5, from_year=form.from_year.data)
                except InvalidInput as exc:
                    for field_name, messages in exc.errors.items():
                        target = form.reform_yaml if field_name == "reform" else getattr(form, field_name, None)
                        if target is not None:
                            target.errors = list(messages)
                else:
                    return redirect(url_for("simulations.show", simulation_id=simulation.id))
        status = 422
    saved = simulations_service.list_simulations(db.session)
    return render_template("simulations/index.html", form=form, saved=saved, rows=range(1, ROWS + 1),
                           example=EXAMPLE_REFORM), status


EXAMPLE_REFORM = """id: tier-c-400k
title: {zh: C类人才年薪门槛降至40万元, en: "Tier C salary threshold lowered to 400,000"}
parameters:
  tier_c_min_annual_salary:
    values: {2025-01-01: 400000}
"""


def _money_chart(result: dict[str, Any]) -> Any:
    years = [str(y) for y in result["years"]]
    return bar_chart(_("每年资金（元）"), years, {
        _("现行政策"): [result["in_force"]["money"]["total"][y] for y in years],
        _("调整后"): [result["reform_result"]["money"]["total"][y] for y in years],
    })


@bp.route("/<int:simulation_id>")
@requires(*READERS)
def show(simulation_id: int) -> Any:
    simulation = _get(simulation_id)
    result = simulation.result
    return render_template("simulations/show.html", simulation=simulation, result=result,
                           title=simulation.title(current_language()),
                           saved=simulations_service.list_simulations(db.session))


@bp.route("/<int:simulation_id>/money.svg")
@requires(*READERS)
def money_chart(simulation_id: int) -> Any:
    return svg_response(_money_chart(_get(simulation_id).result))


@bp.route("/<int:simulation_id>.json")
@requires(*READERS)
def download(simulation_id: int) -> Any:
    simulation = _get(simulation_id)
    return Response(json.dumps(simulation.result, ensure_ascii=False, indent=1), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="simulation-{simulation.id}.json"'})


@bp.route("/compare")
@requires(*READERS)
def compare() -> Any:
    ids = []
    for raw in request.args.getlist("id")[:MAX_COMPARED]:
        if raw.isdigit() and len(raw) < 10 and int(raw) not in ids:
            ids.append(int(raw))
    simulations = [_get(simulation_id) for simulation_id in ids]
    return render_template("simulations/compare.html", simulations=simulations,
                           language=current_language()), (200 if len(simulations) >= 2 else 422)


@bp.route("/<int:simulation_id>/cases/<int:application_id>")
@requires(*READERS)
def what_if(simulation_id: int, application_id: int) -> Any:
    simulation = _get(simulation_id)
    application = db.session.get(Application, application_id)
    if application is None:
        raise NotFound(_("没有这个申请。"))
    try:
        outcome = simulations_service.what_if(simulation, application)
    except InvalidInput as exc:
        return render_template("simulations/what_if.html", simulation=simulation, application=application,
                               outcome=None, problem=exc, title=simulation.title(current_language())), 422
    return render_template("simulations/what_if.html", simulation=simulation, application=application,
                           outcome=outcome, problem=None, title=simulation.title(current_language()))


def _get(simulation_id: int):
    return simulations_service.get_simulation(db.session, simulation_id)


@bp.app_template_global("recent_simulations")
def recent_simulations() -> list[Any]:
    """Saved simulations for the case page's "what if" links (readers only; nobody else sees the case page)."""
    if not current_user.is_authenticated or current_user.role.value not in ("officer", "admin", "analyst"):
        return []
    return simulations_service.list_simulations(db.session, limit=5)


@bp.app_template_global("simulation_programme_name")
def simulation_programme_name(code: str) -> str:
    return programme_name(code)
