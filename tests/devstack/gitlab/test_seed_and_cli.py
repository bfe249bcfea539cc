"""Seeding a small university, and `python -m devstack.gitlab` serving it to python-gitlab."""

import json
import subprocess
import sys

import gitlab

from devstack.gitlab import GitLabServer, seed, university_spec
from devstack.net import free_port, wait_for_port


def test_university_spec_builds_courses_teams_projects_and_levels():
    with GitLabServer() as server:
        seed(server.model, university_spec(courses=2, teams_per_course=2, students_per_team=2, blocked_students=1,
                                           names={"s0001": "Anna Meyer"}))
        model = server.model
        assert sorted(model.group_full_path(g) for g in model.groups.values()) == \
            ["course-1", "course-1/team-1", "course-1/team-2", "course-2", "course-2/team-1", "course-2/team-2"]
        team = model.group("course-1/team-2")
        levels = {model.users[m.user_id].username: m.access_level
                  for m in model.effective_members("group", team.id)}
        assert levels == {"prof.lang": 50, "tutor.berg": 40, "s0001": 20, "s0002": 20, "s0003": 30, "s0004": 30}
        project = model.project("course-1/team-2/project-1")
        assert {model.users[m.user_id].username: m.access_level
                for m in model.direct_members("project", project.id)} == {"s0003": 40}
        assert model.user_by_username("s0008").state == "blocked"
        assert model.user_by_username("s0007").state == "active"
        assert model.user_by_username("s0001").name == "Anna Meyer"


def test_the_command_line_serves_a_seeded_instance(tmp_path, receiver):
    spec = {"users": [{"username": "prof.lang", "name": "Ada Lang"}],
            "groups": [{"name": "CS 101", "path": "cs101", "members": {"prof.lang": 50},
                        "subgroups": [{"name": "Team 1", "path": "team-1", "projects": [{"path": "app"}]}]}]}
    (tmp_path / "seed.json").write_text(json.dumps(spec))
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "devstack.gitlab", "--port", str(port), "--token", "cli-token",
                                "--seed", str(tmp_path / "seed.json"), "--system-hook", receiver.url,
                                "--system-hook-token", "hook-secret"], stdout=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, process=process)
        gl = gitlab.Gitlab(f"http://127.0.0.1:{port}", private_token="cli-token")
        project = gl.projects.get("cs101/team-1/app")
        assert {m.username: m.access_level for m in project.members_all.list(get_all=True)} == {"prof.lang": 50}
        gl.groups.create({"name": "ML 201", "path": "ml201"})
        receiver.wait_for(2)
        assert receiver.events() == ["group_create", "user_add_to_group"]
        assert receiver.received[0][0]["X-Gitlab-Token"] == "hook-secret"
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0
    assert f"http://127.0.0.1:{port}/api/v4" in output and "cli-token" not in output
