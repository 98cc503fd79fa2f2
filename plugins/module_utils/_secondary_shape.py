# -*- coding: utf-8 -*-
# Copyright: aurora.global_db contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shape of a secondary cluster of a global database, and the requests that create a secondary of that shape again.

Pure functions, for the method rebuild_secondaries (rule R10): its shape is recorded before the secondary is removed
from the global cluster, and a new secondary of the same shape is created at the primary's exact new version.
"""

from ansible_collections.aurora.global_db.plugins.module_utils._tags import is_collection_tag

# AWS reserves tag keys starting with "aws:": they cannot be given to a create call.
_AWS_RESERVED_TAG_PREFIX = "aws:"


def _tags(tag_list):
    """The user's tags: neither AWS's reserved ones nor the collection's bookkeeping (the removed cluster's "detached-from")."""
    return [{"Key": tag["Key"], "Value": tag.get("Value", "")} for tag in tag_list or []
            if not tag["Key"].startswith(_AWS_RESERVED_TAG_PREFIX) and not is_collection_tag(tag["Key"])]


def _instance_shape(instance, member):
    groups = instance.get("DBParameterGroups") or []
    tier = instance.get("PromotionTier")
    return {
        "db_instance_identifier": instance["DBInstanceIdentifier"],
        "db_instance_class": instance["DBInstanceClass"],
        "promotion_tier": member.get("PromotionTier") if tier is None else tier,
        "is_writer": bool(member.get("IsClusterWriter")),
        "db_parameter_group": groups[0]["DBParameterGroupName"] if groups else None,
        "availability_zone": instance.get("AvailabilityZone"),
        "publicly_accessible": instance.get("PubliclyAccessible"),
        "tags": _tags(instance.get("TagList")),
    }


def _creation_order(instance):
    """The writer's counterpart first (the first instance of a new cluster becomes its writer), then by promotion tier."""
    tier = instance["promotion_tier"]
    return (not instance["is_writer"], 15 if tier is None else tier, instance["db_instance_identifier"])


def secondary_shape(region, cluster, instances):
    """What a secondary cluster is made of, from its DescribeDBClusters entry and the DescribeDBInstances entries of its
    instances (read in its region); the instances writer first, then by promotion tier.

    Instances DescribeDBInstances gives that are not in DBClusterMembers are left out.
    """
    members = {member["DBInstanceIdentifier"]: member for member in cluster.get("DBClusterMembers", [])}
    return {
        "region": region,
        "db_cluster_identifier": cluster["DBClusterIdentifier"],
        "db_cluster_arn": cluster.get("DBClusterArn"),
        "engine": cluster["Engine"],
        "engine_version": cluster.get("EngineVersion"),
        "db_subnet_group": cluster.get("DBSubnetGroup"),
        "vpc_security_group_ids": [group["VpcSecurityGroupId"] for group in cluster.get("VpcSecurityGroups", [])],
        "db_cluster_parameter_group": cluster.get("DBClusterParameterGroup"),
        "storage_encrypted": bool(cluster.get("StorageEncrypted")),
        "kms_key_id": cluster.get("KmsKeyId"),
        "port": cluster.get("Port"),
        "backup_retention_period": cluster.get("BackupRetentionPeriod"),
        "preferred_backup_window": cluster.get("PreferredBackupWindow"),
        "preferred_maintenance_window": cluster.get("PreferredMaintenanceWindow"),
        "storage_type": cluster.get("StorageType"),
        "global_write_forwarding": bool(cluster.get("GlobalWriteForwardingRequested")),
        "deletion_protection": bool(cluster.get("DeletionProtection")),
        "copy_tags_to_snapshot": cluster.get("CopyTagsToSnapshot"),
        "tags": _tags(cluster.get("TagList")),
        "instances": sorted(
            (_instance_shape(instance, members[instance["DBInstanceIdentifier"]]) for instance in instances if instance["DBInstanceIdentifier"] in members),
            key=_creation_order,
        ),
    }


def _present(request):
    return {name: value for name, value in request.items() if value is not None}


def cluster_request(shape, identifier, global_cluster_identifier, engine_version, primary_region, tags=()):
    """The CreateDBCluster request (sent in shape["region"]) of a new secondary of ``shape``, at the primary's exact version.

    No master user, password or database name: AWS refuses them on a secondary. Encrypted: the recorded key (of the
    secondary's own region) and SourceRegion, the primary's region, which boto3 turns into the PreSignedUrl AWS wants.
    """
    request = {
        "DBClusterIdentifier": identifier,
        "GlobalClusterIdentifier": global_cluster_identifier,
        "Engine": shape["engine"],
        "EngineVersion": engine_version,
        "DBSubnetGroupName": shape["db_subnet_group"],
        "VpcSecurityGroupIds": shape["vpc_security_group_ids"] or None,
        "DBClusterParameterGroupName": shape["db_cluster_parameter_group"],
        "Port": shape["port"],
        "BackupRetentionPeriod": shape["backup_retention_period"],
        "PreferredBackupWindow": shape["preferred_backup_window"],
        "PreferredMaintenanceWindow": shape["preferred_maintenance_window"],
        "StorageType": shape["storage_type"],
        "EnableGlobalWriteForwarding": True if shape["global_write_forwarding"] else None,
        "DeletionProtection": shape["deletion_protection"],
        "CopyTagsToSnapshot": shape["copy_tags_to_snapshot"],
        "Tags": shape["tags"] + list(tags),
    }
    if shape["storage_encrypted"]:
        request.update(StorageEncrypted=True, KmsKeyId=shape["kms_key_id"], SourceRegion=primary_region)
    return _present(request)


def instance_requests(shape, cluster_identifier, instance_identifier, tags=()):
    """The CreateDBInstance requests of the new secondary's instances, in creation order (the writer's counterpart first).

    ``instance_identifier`` maps an old instance identifier to its new one.
    """
    return [
        _present({
            "DBInstanceIdentifier": instance_identifier(instance["db_instance_identifier"]),
            "DBClusterIdentifier": cluster_identifier,
            "Engine": shape["engine"],
            "DBInstanceClass": instance["db_instance_class"],
            "PromotionTier": instance["promotion_tier"],
            "DBParameterGroupName": instance["db_parameter_group"],
            "AvailabilityZone": instance["availability_zone"],
            "PubliclyAccessible": instance["publicly_accessible"],
            "Tags": instance["tags"] + list(tags),
        })
        for instance in shape["instances"]
    ]
