-- Homework files count against the tenant quota; one removed through DELETE /storage/files stops counting (its
-- submission and review stay).
ALTER TABLE "homework_submissions" ADD COLUMN "file_deleted_at" TIMESTAMPTZ(3);
