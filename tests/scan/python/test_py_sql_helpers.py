"""SQL statements built by formatting and handed to a project's own query helper, in any argument."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_formatted_statement_to_a_helper_in_second_position_is_reported(py: PyScan) -> None:
    code = """class Posts:
    def by_user(self, name):
        text = "select comment from post where author='%s'" % name
        return sql.queryDB(self.conn, text)
"""
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-089"]
    assert f.line == 4 and f.confidence == "medium" and "queryDB()" in f.message


def test_f_string_update_to_a_helper_is_reported_and_parameters_are_not(py: PyScan) -> None:
    vulnerable = """def save_language(db, user):
    query = (f"UPDATE users SET language='{user.language}' "
             f"WHERE chat_id='{user.chat_id}'")
    db.add(query)
"""
    safe = """def save_language(db, user):
    query = "UPDATE users SET language=%s WHERE chat_id=%s"
    db.add(query, (user.language, user.chat_id))
"""
    assert ("BS-PY-089", 4) in py.rule_lines(vulnerable)
    assert py.rule_lines(safe) == set()


def test_table_name_slot_and_result_of_the_helper_are_not_reported(py: PyScan) -> None:
    code = """def is_valid(token):
    conn, c = connect()
    req = "SELECT * from {} where token=?".format(cfg("token_table"))
    answer = bool(query_one(c, req, (token,)))
    log.info("checked %s", answer)
    return answer
"""
    assert py.rule_lines(code) == set()


def test_numeric_slots_are_not_injection_but_still_a_formatted_statement(py: PyScan) -> None:
    code = """def close_game(db, game_id, played):
    db.execute("UPDATE games SET played = %d WHERE id = %i" % (played, game_id))
"""
    (f,) = py.shown(code)
    assert (f.rule_id, f.line, f.confidence, f.severity) == ("BS-PY-089-format", 2, "medium", "low")
    assert "parameter" in f.message and "execute()" in f.message


def test_bound_numbers_and_int_casts_are_not_a_formatted_statement(py: PyScan) -> None:
    bound = """def close_game(db, game_id):
    db.execute("SELECT * FROM games WHERE id = %d;", (game_id,))
"""
    cast = """def count(cursor, n):
    cursor.execute("SELECT count(*) FROM t WHERE n = %d" % int(n))
"""
    assert py.run(bound) == [] and py.run(cast) == []


def test_a_callers_table_name_in_an_identifier_slot_is_a_formatted_statement(py: PyScan) -> None:
    vulnerable = """def add(conn, tag, link):
    conn.execute("insert into " + str(tag) + " values (?)", (link,))
"""
    from_config = """def add(conn, link):
    conn.execute("insert into " + settings.table() + " values (?)", (link,))
"""
    assert py.rule_lines(vulnerable) == {("BS-PY-089-format", 2)}
    assert py.rule_lines(from_config) == set()


def test_numeric_slot_passed_to_a_query_helper_is_a_formatted_statement(py: PyScan) -> None:
    vulnerable = """def delete_post(self, postid):
    text = "delete from post where post.postid=%d" % (postid)
    return sql.deleteDB(self.conn, text)
"""
    fixed = """def delete_post(self, postid):
    text = "delete from post where post.postid=%s"
    return sql.deleteDB(self.conn, text, [postid])
"""
    assert py.rule_lines(vulnerable) == {("BS-PY-089-format", 3)}
    assert py.run(fixed) == []


def test_string_slot_next_to_a_numeric_one_is_still_reported(py: PyScan) -> None:
    code = """def rename(db, game_id, name):
    db.execute("UPDATE games SET name = '%s' WHERE id = %d" % (name, game_id))
"""
    assert ("BS-PY-089", 2) in py.rule_lines(code)


def test_printing_or_logging_a_formatted_query_is_not_running_it(py: PyScan) -> None:
    code = """def show(name, log):
    print("SELECT * FROM users WHERE name = '%s'" % name)
    log.debug("SELECT * FROM users WHERE name = '%s'" % name)
"""
    assert py.rule_lines(code) == set()


def test_shell_lines_and_code_built_from_numbers_are_formatted_not_injected(py: PyScan) -> None:
    code = """import os
def changelog(cset):
    return os.popen('hg log -r %d --template "{desc}"' % cset).read()
def wire(system, i, cntrl):
    exec("system.dir_cntrl%d = cntrl" % i)
"""
    found = {(f.rule_id, f.line, str(f.confidence), str(f.severity)) for f in py.shown(code)}
    assert found == {("BS-PY-078-format", 3, "medium", "low"), ("BS-PY-094-format", 5, "medium", "low")}


def test_argument_lists_setattr_and_casts_are_not_formatted_commands(py: PyScan) -> None:
    code = """import os, subprocess
def changelog(cset):
    return subprocess.run(["hg", "log", "-r", str(cset)], capture_output=True).stdout
def wire(system, i, cntrl):
    setattr(system, "dir_cntrl%d" % i, cntrl)
def kill(pid):
    os.system("kill -9 %d" % int(pid))
"""
    assert py.shown(code) == []


def test_a_formatted_statement_message_keeps_the_acronym(py: PyScan) -> None:
    code = """def delete(cursor, item_id):
    cursor.execute("DELETE FROM items WHERE id = %d" % item_id)
"""
    found = py.shown(code)
    assert [(f.rule_id, f.line) for f in found] == [("BS-PY-089-format", 2)]
    assert "— SQL statement" in found[0].message
