import subprocess
import sys

from inspection_app.cli import main


def test_checklists_check_names_file_line_and_field(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text('id: x\nversion: "1"\ntitle: {vi: "A", en: "B"}\nsections:\n  - id: s\n    title: {vi: "A", en: "B"}\n'
                   '    items:\n      - id: i\n        text: {vi: "A", en: "B"}\n        answer: maybe\n'
                   '        legal_basis: [{document: "Luật"}]\n', encoding="utf-8")
    assert main(["checklists", "check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:10: sections[0].items[0].answer:" in err


def test_checklists_check_all_shipped(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "checklists", "check"]) == 0
    out = capsys.readouterr().out
    assert out.count("OK ") == 5


def test_demo_loads_a_department_once(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "demo"]) == 0
    assert "UBND xã Hòa Hội" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "demo"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert main(["--data-dir", str(data_dir), "audit", "verify"]) == 0


def test_user_errors_exit_2_with_a_message(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "import-roster", "no-unit", str(data_dir / "nope.csv")]) != 0


def test_console_script_runs(data_dir):
    out = subprocess.run([sys.executable, "-m", "inspection_app", "--help"], capture_output=True, text=True, check=True)
    assert "demo" in out.stdout and "checklists" in out.stdout
