# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure pieces of the method rebuild_secondaries: the shape a removed cluster gives back, the names an operator can
trust, and the records the module returns (detached clusters with the command that deletes them, new members)."""

from ansible_collections.aurora.global_db.plugins.module_utils._tags import tag_value


def original_name(identifier, detached_suffix):
    """The identifier a removed cluster or instance had before it was renamed with ``detached_suffix`` (or not yet renamed).

    Unambiguous because the run refuses original identifiers that already end with the suffix (suffix_refusals).
    """
    if detached_suffix and identifier.lower().endswith(detached_suffix.lower()):
        return identifier[:-len(detached_suffix)]
    return identifier


def original_shape(shape, original_identifier, detached_suffix):
    """The shape of a removed cluster (read again by a re-run: the shape survives an interrupted run in the removed
    cluster itself) under the names it had as a secondary, so that the new secondary is built as from the secondary."""
    instances = [dict(instance, db_instance_identifier=original_name(instance["db_instance_identifier"], detached_suffix))
                 for instance in shape["instances"]]
    return dict(shape, db_cluster_identifier=original_identifier, db_cluster_arn=None, instances=instances)


def suffix_refusals(shapes, detached_suffix):
    """A refusal for each secondary or instance whose identifier already ends with ``detached_suffix``."""
    names = []
    for shape in shapes:
        names.append(shape["db_cluster_identifier"])
        names.extend(instance["db_instance_identifier"] for instance in shape["instances"])
    return ["%s already ends with detached_suffix %s: a re-run could not tell it from a removed cluster's name; choose another "
            "detached_suffix." % (name, detached_suffix) for name in names if original_name(name, detached_suffix) != name]


def what_it_was(original_identifier, global_cluster_identifier):
    """What a removed cluster was, in words (also the value of its DETACHED_TAG)."""
    return tag_value("%s: secondary of global cluster %s" % (original_identifier, global_cluster_identifier))


def delete_command(region, cluster_identifier, instance_identifiers):
    """The AWS CLI commands that delete a removed cluster and its instances, keeping a final snapshot; never run by the collection."""
    commands = ["aws rds delete-db-instance --region %s --db-instance-identifier %s" % (region, instance) for instance in instance_identifiers]
    commands.append("aws rds delete-db-cluster --region %s --db-cluster-identifier %s --final-db-snapshot-identifier %s-final" % (
        region, cluster_identifier, cluster_identifier))
    return " && ".join(commands)


def detached_cluster(secondary, global_cluster_identifier):
    """The detached_clusters entry of a removed secondary (a rebuild_secondaries.NewSecondary)."""
    instances = list(secondary.detached_instances.values())
    return {
        "db_cluster_identifier": secondary.detached_identifier,
        "region": secondary.region,
        "was": what_it_was(secondary.old_identifier, global_cluster_identifier),
        "db_instance_identifiers": instances,
        "delete_command": delete_command(secondary.region, secondary.detached_identifier, instances),
    }


def new_member(secondary, engine_version):
    """The new_members entry of a new secondary (a rebuild_secondaries.NewSecondary) at ``engine_version``."""
    return {"db_cluster_identifier": secondary.identifier, "region": secondary.region, "role": "secondary", "engine_version": engine_version}
