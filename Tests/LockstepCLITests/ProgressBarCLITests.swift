import Foundation
import TestSupport
import Testing

@testable import lockstep

/// Progress bars: tqdm's look on a terminal, nothing at all in pipes, logs or with --quiet.
@Suite("Progress bars", .serialized) struct ProgressBarCLITests {
    typealias CLI = CLITests

    @Test func theBarLooksLikeTqdm() {
        let bar = ProgressBar(
            label: "epoch 2/3", done: 6100, total: 10_000, unit: "steps", elapsed: 1.2,
            extras: ["8.2M samples/s", "loss 0.0102"], columns: 200)
        #expect(bar.text == "epoch 2/3 ▕███████████████▎         ▏  61% 6.10k/10k steps [00:01<00:01, 8.2M samples/s, loss 0.0102]")
        #expect(ProgressBar.blocks(0, width: 4) == "    " && ProgressBar.blocks(1, width: 4) == "████")
        #expect(ProgressBar.blocks(0.5 + 1 / 32, width: 4) == "██▏ ")
        // A narrow terminal shrinks the bar, never below 10 cells.
        let narrow = ProgressBar(label: "generate", done: 1, total: 2, unit: "rows", elapsed: 1, columns: 50)
        #expect(narrow.text.contains("▕█████     ▏"))
        #expect(ProgressBar.clock(3723) == "1:02:03" && ProgressBar.clock(7) == "00:07")
    }

    @Test func linesAreCutToTheTerminalKeepingColoursWhole() {
        let cut = ProgressLine.fit("ab\u{1B}[32mcdef\u{1B}[0mgh", columns: 5)
        #expect(cut == "ab\u{1B}[32mcd\u{1B}[0m")
    }

    @Test func pipesAndLogsGetNoBar() throws {
        let dir = try CLI.tempDir().path
        for args in [
            ["train", "--config", "configs/line50.yaml", "--epochs", "300000"],
            ["generate", "--rows", "3000000", "--features", "8", "--out", dir + "/g"],
            ["sweep", "--config", "configs/line50.yaml", "--threads", "1,2", "--epochs", "100000"],
        ] {
            let r = try CLI.run(args)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(!r.stderr.contains("▕") && !r.stderr.contains("\r") && !r.stderr.contains("\u{1B}"), "\(args[0]): \(r.stderr)")
        }
    }

    /// Runs `lockstep` under `script`, which gives it a pseudo-terminal as stderr.
    static func inTerminal(_ args: [String], env: String = "") throws -> String {
        let command = "env " + env + " " + ([CLI.binary.path] + args).joined(separator: " ")
        let r = try runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], in: CLI.root)
        #expect(r.status == 0, "\(r.stdout)")
        return r.stdout
    }

    @Test func aTerminalGetsARedrawnBarThatIsClearedAtTheEnd() throws {
        // (tests run the debug build: 600 000 steps take over a second, several redraws)
        let out = try Self.inTerminal(["train", "--config", "configs/line50.yaml", "--epochs", "600000"], env: "-u NO_COLOR TERM=xterm")
        // script's terminal is 80 columns: the bar keeps the loss and drops the unit words first.
        #expect(out.contains("train ▕") && out.contains("k [") && out.contains("/s, loss "), "\(out)")
        #expect(out.contains("\r\u{1B}[2K") && out.contains("\u{1B}[32m"))
        #expect(out.contains("weight 1.2043, bias 3.0897"))
        let plain = try Self.inTerminal(["train", "--config", "configs/line50.yaml", "--epochs", "600000"], env: "TERM=xterm NO_COLOR=1")
        #expect(plain.contains("train ▕") && !plain.contains("\u{1B}[32m"))
        let quiet = try Self.inTerminal(["train", "--config", "configs/line50.yaml", "--epochs", "600000", "--quiet"])
        #expect(!quiet.contains("▕") && quiet.contains("weight 1.2043"))
    }
}
