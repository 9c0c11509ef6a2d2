-- The relay sets aside events Kafka refuses on their own (platform migration V0_2).
GRANT SELECT, INSERT ON outbox_dead_letter TO patchops_audit_writer;
