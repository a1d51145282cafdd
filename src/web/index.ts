// The public face of src/web/: what other folders may import (docs/architecture.md).
export { createTranscriptWriter, pruneTranscripts } from "./transcripts/transcript-writer.js";
export { createWebDashboard } from "./web-dashboard.js";
