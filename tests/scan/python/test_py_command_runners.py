"""Command lines handed to a project's own runner helpers, bare shell helpers in fragments, Salt."""

from __future__ import annotations

from typing import Any

PyScan = Any  # the `py` fixture from conftest.py


def test_formatted_command_line_to_a_runner_method_is_reported(py: PyScan) -> None:
    code = """class Remote:
    def ls(self, data, path):
        creds = self._creds(data)
        command = '{credentials} rclone lsjson current:{path}'.format(credentials=creds, path=path)
        return self._execute(command)
"""
    assert ("BS-PY-078", 5) in py.rule_lines(code)
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-078"]
    assert f.confidence == "medium" and "_execute()" in f.message


def test_argument_list_to_the_same_runner_is_clean(py: PyScan) -> None:
    code = """class Remote:
    def ls(self, data, path):
        command = ['rclone', 'lsjson', 'current:{}'.format(path)]
        return self._execute(command, self._creds(data))
"""
    assert py.rule_lines(code) == set()


def test_constant_command_line_to_a_runner_is_clean(py: PyScan) -> None:
    code = """def check(host):
    return host.run("systemctl is-active nginx")
"""
    assert py.rule_lines(code) == set()


def test_runner_given_a_message_or_sql_is_not_a_command(py: PyScan) -> None:
    code = """def attach(db, name):
    db.execute("ATTACH DATABASE '" + name + "' as extra")
    job.run("Hello, %s! Welcome back." % name)
"""
    found = py.rule_lines(code)
    assert ("BS-PY-078", 2) not in found and ("BS-PY-078", 3) not in found
    assert ("BS-PY-089", 2) in found  # SQL assembled by concatenation is its own weakness


def test_bare_shell_helpers_of_a_fragment_resolve_to_os_and_subprocess(py: PyScan) -> None:
    code = """work_dir = "__tmp" + rev
system("cp -rf " + src_dir + " " + work_dir)
out = check_output("curl -sL http://%s:2379/v2/keys/%s" % (ip, path), shell=True)
"""
    found = py.rule_lines(code)
    assert ("BS-PY-078", 2) in found and ("BS-PY-078", 3) in found


def test_a_locally_defined_system_function_is_not_os_system(py: PyScan) -> None:
    code = """def system(msg):
    print(msg)

def report(name):
    system("built " + name + " ok")
"""
    assert ("BS-PY-078", 5) not in py.rule_lines(code)


def test_format_filled_from_locals_is_built(py: PyScan) -> None:
    code = """import subprocess
def fetch(fasta_file, bucket):
    cmd = "wget {bucket}/x.gz -O /tmp/x.gz; gzip -cd /tmp/x.gz >> {fasta_file}"
    subprocess.check_call(cmd.format(**locals()), shell=True)
"""
    (f,) = [f for f in py.shown(code) if f.rule_id == "BS-PY-078"]
    assert f.line == 4 and f.confidence == "medium"


def test_salt_cmd_run_is_a_shell_sink(py: PyScan) -> None:
    vulnerable = """def usage(args=None):
    cmd = 'df -P'
    if args:
        cmd = cmd + ' -' + args
    return __salt__['cmd.run'](cmd).splitlines()
"""
    safe = """def grains(key):
    return __salt__['cmd.run'](['salt-call', 'grains.get', key])
"""
    assert ("BS-PY-078", 5) in py.rule_lines(vulnerable)
    assert py.rule_lines(safe) == set()


def test_command_lines_with_shell_punctuation_in_arguments_are_command_lines(py: PyScan) -> None:
    vulnerable = """def get_pool_capacity(self, pool):
    ssh_cmd = 'svcinfo lsmdiskgrp -bytes -delim ! %s' % pool
    out, err = self._run_ssh(ssh_cmd)
    return out
"""
    fixed = """def get_pool_capacity(self, pool):
    ssh_cmd = ['svcinfo', 'lsmdiskgrp', '-bytes', '-delim', '!', pool]
    out, err = self._run_ssh(ssh_cmd)
    return out
"""
    assert ("BS-PY-078", 3) in py.rule_lines(vulnerable)
    assert py.rule_lines(fixed) == set()
