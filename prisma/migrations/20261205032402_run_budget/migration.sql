-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "budget" JSONB;
