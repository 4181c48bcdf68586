"""Staff upload of an XLSForm: the problem list, then loading it as a questionnaire version."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired

from survey_app.admin.blueprint import ADMIN_ONLY, bp, menu_entry, roles_required
from survey_app.extensions import csrf
from survey_app.questionnaire.builder import check_text
from survey_app.questionnaire.errors import DefinitionError
from survey_app.questionnaire.service import store_new_version
from survey_app.web_tier import limit_upload
from survey_app.xlsform.errors import XLSFormError, translated
from survey_app.xlsform.importer import import_xlsform

# Real XLSForms are far below 1 MB; the app-wide request cap (256 KB) is raised for these two
# views only, and the importer applies the same cap before parsing.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# The whole request body may carry the multipart framing and the CSRF token on top of the file.
MAX_BODY_BYTES = MAX_UPLOAD_BYTES + 64 * 1024


def _too_large_message() -> str:
    return _("The file is larger than %(mb)d MB.", mb=MAX_UPLOAD_BYTES // 1_048_576)


for _endpoint in ("admin.xlsform_upload", "admin.xlsform_load"):
    limit_upload(_endpoint, MAX_BODY_BYTES, _too_large_message)

menu_entry("admin.xlsform_upload", _l("Import XLSForm"), ADMIN_ONLY)


class UploadForm(FlaskForm):
    file = FileField(_l("XLSForm file (.xlsx or .xls)"), validators=[FileRequired()])
    skip_unsupported = BooleanField(_l("Leave out unsupported questions (each one is listed)"))


class LoadForm(FlaskForm):
    source = HiddenField(validators=[DataRequired()])


def _render(**context):
    """The upload page; importer messages are shown in the user's language."""
    return render_template("admin/xlsform.html", issue_text=lambda message: translated(message, _), **context)


def _allow_large_request() -> None:
    request.max_content_length = MAX_BODY_BYTES
    request.max_form_memory_size = MAX_UPLOAD_BYTES


# The global CSRF check would read the body under the app-wide 256 KB cap before the view can
# raise it; the FlaskForm below checks the CSRF token itself, so the view stays protected.
@csrf.exempt
@bp.route("/questionnaires/xlsform", methods=["GET", "POST"])
@roles_required(*ADMIN_ONLY)
def xlsform_upload():
    """Upload an XLSForm; show every problem, or the result with a button to load it."""
    _allow_large_request()
    try:
        form = UploadForm()
        submitted = form.validate_on_submit()
    except RequestEntityTooLarge:
        form, submitted = UploadForm(formdata=None), False
        form.file.errors = [_too_large_message()]
        return _render(form=form), 413
    if request.method == "POST" and not submitted:
        return _render(form=form), 400
    if not submitted:
        return _render(form=form)
    upload = form.file.data
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    try:
        result = import_xlsform(data, skip_unsupported=form.skip_unsupported.data, filename=upload.filename or "form",
                                max_bytes=MAX_UPLOAD_BYTES)
    except XLSFormError as error:
        return _render(form=form, issues=error.issues, failed=True), 400
    source = result.yaml
    problems = check_text(source)
    load_form = LoadForm(formdata=None, source=source)
    return _render(form=form, issues=result.issues, problems=problems,
                           load_form=load_form, definition=result.definition, source=source)


@csrf.exempt
@bp.post("/questionnaires/xlsform/load")
@roles_required(*ADMIN_ONLY)
def xlsform_load():
    """Store an imported definition as a new questionnaire version (validated again)."""
    _allow_large_request()
    try:
        form = LoadForm()
        valid = form.validate_on_submit()
    except RequestEntityTooLarge:
        valid, form = False, None
    if not valid:
        flash(_("The form expired or was incomplete; upload the file again."), "error")
        return _render(form=UploadForm(formdata=None)), 400
    try:
        row = store_new_version(form.source.data, origin="xlsform")
    except DefinitionError as error:
        return _render(form=UploadForm(formdata=None), problems=error.problems,
                               failed=True), 400
    flash(_("Stored questionnaire %(name)s version %(version)d (id %(id)d).", name=row.name, version=row.version,
            id=row.id), "success")
    return redirect(url_for("admin.xlsform_upload"), 303)
