-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "agents" JSONB;
