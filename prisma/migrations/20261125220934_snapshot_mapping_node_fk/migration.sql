-- Rows of nodes deleted before these keys existed would block them: remove such orphans first.
DELETE FROM "structure_snapshots" s WHERE NOT EXISTS (SELECT 1 FROM "materialnodes" n WHERE n."id" = s."materialnode_id");
DELETE FROM "slide_mappings" m WHERE NOT EXISTS (SELECT 1 FROM "materialnodes" n WHERE n."id" = m."materialnode_id");

-- AddForeignKey
ALTER TABLE "structure_snapshots" ADD CONSTRAINT "structure_snapshots_materialnode_id_fkey" FOREIGN KEY ("materialnode_id") REFERENCES "materialnodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "slide_mappings" ADD CONSTRAINT "slide_mappings_materialnode_id_fkey" FOREIGN KEY ("materialnode_id") REFERENCES "materialnodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;
