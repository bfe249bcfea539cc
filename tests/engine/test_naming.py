"""Namespace naming: valid, stable, never reserved, never shared, kept across renames."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tenants.engine.config import TenancyConfig
from tenants.engine.naming import EntityKey, assign_names, is_reserved, is_valid_name, preferred_name, slug

CONFIG = TenancyConfig()
paths = st.text(min_size=0, max_size=150)
keys = st.builds(EntityKey, st.sampled_from(["group", "project", "personal"]), st.integers(1, 10**9))


def test_slug_transliterates_and_cleans():
    assert slug("Übungen/Größe Ärger ß") == "uebungen-groesse-aerger-ss"
    assert slug("courses/CS 101/Team_1") == "courses-cs-101-team-1"
    assert slug("Café--Crème//") == "cafe-creme"
    assert slug("日本語") == ""


def test_prefix_per_kind_and_long_paths_are_shortened_stably():
    assert preferred_name(EntityKey("group", 7), "courses/cs101", CONFIG) == "g-courses-cs101"
    assert preferred_name(EntityKey("project", 7), "courses/cs101/robot", CONFIG) == "p-courses-cs101-robot"
    long = preferred_name(EntityKey("group", 7), "a" * 100, CONFIG)
    assert len(long) == 63 and long == preferred_name(EntityKey("group", 7), "a" * 100, CONFIG)
    assert long != preferred_name(EntityKey("group", 8), "a" * 100, CONFIG)


def test_reserved_names_are_never_given():
    config = TenancyConfig(prefixes={"group": "", "project": "", "personal": ""})
    names = assign_names([(EntityKey("group", 1), "kube-system"), (EntityKey("group", 2), "default"),
                          (EntityKey("group", 3), "campus-system")], {}, config)
    assert all(not is_reserved(n, config) and is_valid_name(n) for n in names.values())
    assert names[EntityKey("group", 1)] == "group-kube-system" and names[EntityKey("group", 2)] == "group-default"


def test_collisions_get_a_deterministic_suffix():
    a, b = EntityKey("group", 1), EntityKey("group", 2)
    first = assign_names([(a, "x/y"), (b, "x-y")], {}, CONFIG)
    second = assign_names([(b, "x-y"), (a, "x/y")], {}, CONFIG)
    assert first == second and first[a] == "g-x-y" and first[b].startswith("g-x-y-")


def test_stored_names_survive_renames_and_transfers():
    key = EntityKey("group", 42)
    names = assign_names([(key, "teams/renamed/elsewhere")], {key: "g-courses-cs101"}, CONFIG)
    assert names[key] == "g-courses-cs101"


def test_a_new_entity_never_takes_a_stored_name():
    old, new = EntityKey("group", 1), EntityKey("group", 2)
    names = assign_names([(new, "courses/cs101")], {old: "g-courses-cs101"}, CONFIG)
    assert names[new] != "g-courses-cs101"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(keys, paths), max_size=30, unique_by=lambda e: e[0]))
def test_any_paths_give_valid_distinct_unreserved_names_independent_of_order(entities):
    names = assign_names(entities, {}, CONFIG)
    assert set(names) == {key for key, _ in entities}
    assert len(set(names.values())) == len(names)
    assert all(is_valid_name(n) and not is_reserved(n, CONFIG) for n in names.values())
    assert assign_names(list(reversed(entities)), {}, CONFIG) == names


@settings(max_examples=200, deadline=None)
@given(keys, paths)
def test_names_are_stable_for_the_same_entity(key, path):
    assert assign_names([(key, path)], {}, CONFIG) == assign_names([(key, path)], {}, CONFIG)
