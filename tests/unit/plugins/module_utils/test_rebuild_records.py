# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""rebuild_secondaries: the shape a removed cluster gives back, the suffix rule, the records returned and the journal tags (pure)."""

from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import delete_command
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import detached_cluster
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import new_member
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import original_name
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import original_shape
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import suffix_refusals
from ansible_collections.aurora.global_db.plugins.module_utils._rebuild_records import what_it_was
from ansible_collections.aurora.global_db.plugins.module_utils._tags import has_tag
from ansible_collections.aurora.global_db.plugins.module_utils._tags import rebuild_journal
from ansible_collections.aurora.global_db.plugins.module_utils._tags import rebuild_journal_keys
from ansible_collections.aurora.global_db.plugins.module_utils._tags import rebuild_journal_tags
from ansible_collections.aurora.global_db.plugins.module_utils._tags import rebuilt_mark
from ansible_collections.aurora.global_db.plugins.module_utils._tags import tag_value
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import new_secondary
from ansible_collections.aurora.global_db.plugins.module_utils.rebuild_secondaries import secondary_shape

NEW = "8.0.mysql_aurora.3.05.2"


def _removed_cluster(identifier="orders-usw2-detached", instances=("orders-usw2-a-detached", "orders-usw2-b")):
    cluster = {
        "DBClusterIdentifier": identifier, "DBClusterArn": "arn:aws:rds:us-west-2:1:cluster:" + identifier, "Engine": "aurora-mysql",
        "EngineVersion": "8.0.mysql_aurora.3.04.0",
        "TagList": [{"Key": "team", "Value": "orders"}, {"Key": "aurora-global-db:detached-from", "Value": "orders-usw2: secondary of global cluster g"}],
        "DBClusterMembers": [{"DBInstanceIdentifier": name, "IsClusterWriter": n == 0, "PromotionTier": n} for n, name in enumerate(instances)],
    }
    described = [{"DBInstanceIdentifier": name, "DBInstanceClass": "db.r6g.large", "TagList": []} for name in instances]
    return secondary_shape("us-west-2", cluster, described)


def test_the_original_name_of_a_renamed_or_not_yet_renamed_resource():
    assert original_name("orders-usw2-a-detached", "-detached") == "orders-usw2-a"
    assert original_name("Orders-USW2-A-DETACHED", "-detached") == "Orders-USW2-A"
    assert original_name("orders-usw2-b", "-detached") == "orders-usw2-b"
    assert original_name("orders-usw2-b", "") == "orders-usw2-b"


def test_a_removed_cluster_gives_back_the_shape_of_the_secondary_it_was():
    shape = original_shape(_removed_cluster(), "orders-usw2", "-detached")
    assert shape["db_cluster_identifier"] == "orders-usw2" and shape["db_cluster_arn"] is None
    assert [i["db_instance_identifier"] for i in shape["instances"]] == ["orders-usw2-a", "orders-usw2-b"]
    # The collection's own tag on the removed cluster is not copied to the new secondary; the user's is.
    assert shape["tags"] == [{"Key": "team", "Value": "orders"}]
    secondary = new_secondary(shape, "g", NEW, "us-east-1", True, "-detached")
    assert secondary.detached_identifier == "orders-usw2-detached"
    assert secondary.detached_instances == {"orders-usw2-a": "orders-usw2-a-detached", "orders-usw2-b": "orders-usw2-b-detached"}
    assert [r["DBInstanceIdentifier"] for r in secondary.instance_requests] == ["orders-usw2-a", "orders-usw2-b"]


def test_names_already_ending_with_the_suffix_are_refused():
    shape = _removed_cluster("orders-usw2", ("orders-usw2-a", "orders-usw2-b-detached"))
    refusals = suffix_refusals([shape], "-detached")
    assert len(refusals) == 1 and "orders-usw2-b-detached already ends with detached_suffix -detached" in refusals[0]
    assert suffix_refusals([_removed_cluster("orders-usw2", ("orders-usw2-a",))], "-detached") == []


def test_the_records_of_a_removed_and_a_new_secondary():
    secondary = new_secondary(original_shape(_removed_cluster(), "orders-usw2", "-detached"), "g", NEW, "us-east-1", True, "-detached")
    record = detached_cluster(secondary, "g")
    assert record == {
        "db_cluster_identifier": "orders-usw2-detached", "region": "us-west-2", "was": "orders-usw2: secondary of global cluster g",
        "db_instance_identifiers": ["orders-usw2-a-detached", "orders-usw2-b-detached"],
        "delete_command": delete_command("us-west-2", "orders-usw2-detached", ["orders-usw2-a-detached", "orders-usw2-b-detached"]),
    }
    commands = record["delete_command"].split(" && ")
    assert commands[0] == "aws rds delete-db-instance --region us-west-2 --db-instance-identifier orders-usw2-a-detached"
    assert commands[-1] == ("aws rds delete-db-cluster --region us-west-2 --db-cluster-identifier orders-usw2-detached "
                            "--final-db-snapshot-identifier orders-usw2-detached-final")
    assert new_member(secondary, NEW) == {"db_cluster_identifier": "orders-usw2", "region": "us-west-2", "role": "secondary", "engine_version": NEW}
    # What it was is a valid tag value.
    assert what_it_was("orders-usw2", "g") == tag_value(what_it_was("orders-usw2", "g"))


def test_the_journal_round_trips_through_tags_and_its_keys_are_found_among_others():
    tags = rebuild_journal_tags("2026-03-01T10:00:00Z", {"us-west-2": "orders-usw2", "eu-west-1": "orders-euw1"})
    assert rebuild_journal(tags) == ("2026-03-01T10:00:00Z", {"us-west-2": "orders-usw2", "eu-west-1": "orders-euw1"})
    others = [{"Key": "aurora-global-db:lease-token", "Value": "t"}, {"Key": "team", "Value": "orders"}]
    assert sorted(rebuild_journal_keys(tags + others)) == sorted(tag["Key"] for tag in tags)
    assert rebuild_journal(others) == (None, {})


def test_the_mark_of_a_rebuild_names_the_global_database_and_the_rebuild():
    mark = rebuilt_mark("orders-global", "2026-03-01T10:00:00Z")
    assert mark == "orders-global 2026-03-01T10:00:00Z"
    assert has_tag({"TagList": [{"Key": "aurora-global-db:rebuilt-secondary", "Value": mark}]}, "aurora-global-db:rebuilt-secondary", mark)
    # An earlier rebuild's mark is not this one's.
    assert not has_tag({"TagList": [{"Key": "aurora-global-db:rebuilt-secondary", "Value": rebuilt_mark("orders-global", "2026-01-01T00:00:00Z")}]},
                       "aurora-global-db:rebuilt-secondary", mark)
