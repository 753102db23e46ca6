#!/usr/bin/env bash
# The client-package check (issue 21): a package outside this one depends on Lockstep by *version*,
# as a user's would, and builds and runs against its library products alone.
#
#   scripts/client-package.sh            (make client; CI runs it)
#
# It clones the committed HEAD into a scratch directory, tags it with the version in
# LockstepVersion.string (without a pre-release suffix: 0.8.0-dev is tagged 0.8.0), writes a client
# package whose Package.swift says `.package(url: "file://…", from: "<version>")`, and builds and
# runs its program: generate a dataset, train it on 1, 2 and 3 threads, check the bits are equal,
# save and reload the model. It also builds every program of Examples/ (from the clone) as a target
# of the client, so the examples too compile against the public API alone (inside the package they
# could reach `package` declarations). Nothing of the project's working tree is used but the commit, so an
# uncommitted file cannot make it pass. Scratch: $CLIENT_DIR (default /tmp/lockstep-client).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
work=${CLIENT_DIR:-/tmp/lockstep-client}
version=$(sed -n 's/.*public static let string = "\([0-9]*\.[0-9]*\.[0-9]*\).*/\1/p' "$src/Sources/LinearTraining/TrainingReport.swift")
[[ -n $version ]] || { echo "client: no version in LockstepVersion.string" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
git clone -q "$src" "$work/lockstep"
git -C "$work/lockstep" tag "$version"
mkdir -p "$work/client/Sources/client"
cp -R "$work/lockstep/Examples" "$work/client/Examples"
examples=""
for dir in "$work"/client/Examples/*/; do
    name=$(basename "$dir")
    examples+="        .executableTarget(name: \"example-$name\", dependencies: products, path: \"Examples/$name\"),
"
done
cat > "$work/client/Package.swift" <<SWIFT
// swift-tools-version:6.2
import PackageDescription

let products: [Target.Dependency] = [
    .product(name: "LinearTraining", package: "lockstep"),
    .product(name: "SyntheticData", package: "lockstep"),
]

let package = Package(
    name: "client",
    dependencies: [.package(url: "file://$work/lockstep", from: "$version")],
    targets: [
        .executableTarget(name: "client", dependencies: products),
$examples    ]
)
SWIFT
cat > "$work/client/Sources/client/main.swift" <<'SWIFT'
import Foundation
import LinearTraining
import SyntheticData

// What a new user writes from the Getting started article: no unsafe pointer, no internal type.
let spec = DatasetSpec(rows: 20_000, features: 16, weights: .alternating, bias: 1, noise: 0.1, seed: 3)
let data = try Dataset.generate(spec, threads: 2)
var bits: [[UInt32]] = []
var last: TrainingReport?
for threads in [1, 2, 3] {
    var config = TrainingConfig(loss: .mse, optimizer: SGD(lr: 0.05), epochs: 2, batchSize: 512, seed: 1)
    config.threads = threads
    config.executor = threads == 1 ? .serial : .span
    config.chunkRows = 64
    let trainer = try Trainer(config: config, dataset: data)
    let report = try trainer.run()
    bits.append(report.model.weights.map(\.bitPattern) + [report.model.bias.bitPattern])
    last = report
    print("threads \(threads): loss \(report.finalLoss), max |w - w*| \(report.maxWeightError ?? .nan)")
}
guard bits.allSatisfy({ $0 == bits[0] }) else { print("FAIL: the bits differ by thread count"); exit(1) }
// Reading data back: read-only views and copies, no pointer.
let (x7, y7) = try SyntheticRows(spec).row(7)
guard x7 == data.values(ofRow: 7), y7 == data.yValues[7], data.xValues[7 * 16] == x7[0] else {
    print("FAIL: a row read back differs"); exit(1)
}
let mine = try Dataset(rows: [[1, 2], [3, 4], [5, 6], [7, 8]], y: [1, 2, 3, 4])
let report = try Trainer(config: TrainingConfig(epochs: 5, batchSize: nil), dataset: mine).run()
let decoded = try JSONDecoder().decode(TrainingReport.self, from: JSONEncoder().encode(last!))
guard decoded == last!, report.epochLosses.count == 5 else { print("FAIL: the report does not round-trip"); exit(1) }
print("client: OK, the same bits on 1, 2 and 3 threads")
SWIFT
cd "$work/client"
swift build 2>&1 | tail -3
out=$(.build/debug/client)
echo "$out"
grep -q "client: OK" <<< "$out"
