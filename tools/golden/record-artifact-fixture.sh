#!/usr/bin/env bash
# Re-records the committed golden artifact (Tests/IndexFormatTests/Fixtures/tiny-v1.2.pidx) from the
# exact contents in GoldenArtifactTests.tinyContents(). Run it only with a format change, which also
# bumps the version in Sources/IndexFormat/FormatLayout.swift and docs/ARTIFACT.md; keep the old
# version's fixture under its own name so the reader must still open it.
set -euo pipefail
cd "$(dirname "$0")/../.."
RECORD_SNAPSHOTS=1 swift test --filter GoldenArtifactTests.writerOutputIsByteForByteTheCommittedFixture || true
swift test --filter GoldenArtifactTests
git status --short Tests/IndexFormatTests/Fixtures
