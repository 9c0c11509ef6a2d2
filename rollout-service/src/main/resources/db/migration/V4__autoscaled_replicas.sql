-- An autoscaler owns spec.replicas of this Deployment: a revert restores everything else.
ALTER TABLE checkpoint ADD COLUMN replicas_managed_by text;
