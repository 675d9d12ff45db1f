"""Uploads: the client's file name reaching save() (CWE-22) and uploads stored without a type check (434)."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py

FLASK = "from flask import Flask, request, redirect\nimport os\napp = Flask(__name__)\n"


def test_upload_saved_under_its_client_name_is_traversal_and_unchecked(py: PyScan) -> None:
    code = FLASK + """@app.route('/pdf/upload', methods=['POST'])
def upload_pdf():
    p = request.files['pdf']
    p.save(os.path.join('./uploads', p.filename))
    return redirect('/pdf/view')
"""
    found = py.rule_lines(code)
    assert ("BS-PY-022", 7) in found and ("BS-PY-434", 7) in found
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-434"]
    assert f.message.startswith("an uploaded file is stored by upload_pdf() without any check")


def test_extension_check_and_secure_filename_make_it_clean(py: PyScan) -> None:
    code = FLASK + """from werkzeug.utils import secure_filename
@app.route('/pdf/upload', methods=['POST'])
def upload_pdf():
    p = request.files['pdf']
    if not p.filename.lower().endswith('.pdf'):
        return 'only PDF', 400
    p.save(os.path.join('./uploads', secure_filename(p.filename)))
    return 'ok'
"""
    assert py.rule_lines(code) == set()


def test_upload_written_with_open_and_no_check_is_reported(py: PyScan) -> None:
    code = FLASK + """@app.route('/img/upload', methods=['POST'])
def upload_image():
    img = request.files['img']
    data = img.read()
    with open('/var/www/img/latest', 'wb') as fh:
        fh.write(data)
    return 'ok'
"""
    assert ("BS-PY-434", 8) in py.rule_lines(code)


def test_content_type_check_or_validator_counts_as_a_check(py: PyScan) -> None:
    by_type = FLASK + """@app.route('/img/upload', methods=['POST'])
def upload_image():
    img = request.files['img']
    if img.content_type != 'image/jpeg':
        return 'no', 400
    with open('/var/www/img/latest.jpg', 'wb') as fh:
        fh.write(img.read())
    return 'ok'
"""
    by_helper = FLASK + """def file_is_safe_type(f):
    return f.mimetype in ('application/pdf',)
@app.route('/file/upload', methods=['POST'])
def upload_file():
    f = request.files['f']
    if file_is_safe_type(f):
        f.save(os.path.join('uploads', 'incoming.bin'))
    return 'ok'
"""
    assert "BS-PY-434" not in {r for r, _ in py.rule_lines(by_type)}
    assert "BS-PY-434" not in {r for r, _ in py.rule_lines(by_helper)}


def test_a_handler_without_uploads_is_not_judged(py: PyScan) -> None:
    code = FLASK + """@app.route('/note', methods=['POST'])
def note():
    with open('/srv/notes.txt', 'a') as fh:
        fh.write('x')
    return 'ok'
"""
    assert py.rule_lines(code) == set()


def test_saving_a_model_or_image_to_a_fixed_path_is_not_traversal(py: PyScan) -> None:
    code = """def store(model, image):
    model.save()
    image.save('/srv/thumbs/latest.png')
"""
    assert py.rule_lines(code) == set()
