import Foundation
import TestSupport
import Testing

@testable import Plotting

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The confusion matrix SVG: well-formed XML, k × k cells, counts and names where they belong,
/// never a NaN, and a refusal of matrices that are not square.
@Suite struct ConfusionMatrixTests {
    /// The elements of an XML document with their attributes and text, or the parser's error.
    final class Elements: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String], text: String)] = []
        private var open: [Int] = []
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements.append((name, attributes, ""))
            open.append(elements.count - 1)
        }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let last = open.last { elements[last].text += string }
        }

        static func parse(_ svg: String) throws -> Elements {
            let parser = XMLParser(data: Data(svg.utf8))
            let delegate = Elements()
            parser.delegate = delegate
            guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
            return delegate
        }

        var cells: [(attributes: [String: String], tooltip: String)] {
            var out: [([String: String], String)] = []
            for (i, e) in elements.enumerated() where e.name == "rect" && e.attributes["class"] == "cell" {
                let title =
                    elements.indices.contains(i + 1) && elements[i + 1].name == "title" ? elements[i + 1].text : ""
                out.append((e.attributes, title))
            }
            return out
        }
        var texts: [String] { elements.filter { $0.name == "text" }.map(\.text) }
    }

    static let iris = [[50, 0, 0], [0, 47, 3], [0, 2, 48]]

    @Test func irisIsWellFormedWithNineCellsCountsNamesAndAccuracy() throws {
        let svg = RunPlots.confusionMatrix(
            counts: Self.iris, classNames: ["setosa", "versicolor", "virginica"], title: "iris <softmax>")
        let doc = try Elements.parse(svg)
        #expect(doc.elements.first?.name == "svg")
        let cells = doc.cells
        #expect(cells.count == 9)
        let texts = doc.texts
        for count in ["50", "47", "3", "2", "48"] { #expect(texts.contains(count), "count \(count)") }
        #expect(texts.filter { $0 == "0" }.count == 4, "the four zero cells")
        for name in ["setosa", "versicolor", "virginica"] {
            #expect(texts.filter { $0 == name }.count == 2, "\(name) on both axes")
        }
        #expect(texts.contains("true class") && texts.contains("predicted class"))
        #expect(texts.contains("iris <softmax>"), "the title, escaped in the file and read back")
        #expect(texts.contains { $0.hasPrefix("accuracy 96.7 % (145 of 150)") })
        #expect(texts.contains("94 %") && texts.contains("6 %") && texts.contains("100 %"))
        #expect(cells.contains { $0.tooltip == "true versicolor, predicted virginica: 3 (6 %)" })
        // The diagonal is darker than the off-diagonal: the fill is the row-normalised share.
        #expect(cells[0].attributes["fill"] == RunPlots.shade(1) && cells[1].attributes["fill"] == "#ffffff")
        #expect(cells[4].attributes["fill"] == RunPlots.shade(0.94))
        #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
    }

    @Test func indicesNameTheClassesByDefaultAndTotalsAreShown() throws {
        let doc = try Elements.parse(RunPlots.confusionMatrix(counts: [[3, 1], [0, 4]]))
        #expect(doc.cells.count == 4)
        #expect(doc.texts.filter { $0 == "0" || $0 == "1" }.count >= 4)
        #expect(doc.texts.contains("Confusion matrix") && doc.texts.contains("n"))
        #expect(doc.texts.filter { $0 == "4" }.count == 3, "the count 4 and both rows' totals")
    }

    @Test func oneClassIsADegenerateButValidMatrix() throws {
        let svg = RunPlots.confusionMatrix(counts: [[7]], classNames: ["only"])
        let doc = try Elements.parse(svg)
        #expect(doc.cells.count == 1)
        #expect(doc.texts.contains("7") && doc.texts.contains("only"))
        #expect(doc.texts.contains { $0.hasPrefix("accuracy 100.0 % (7 of 7)") })
        #expect(!svg.lowercased().contains("nan"))
    }

    @Test func emptyRowsAndAnEmptyMatrixHaveNoNaN() throws {
        let svg = RunPlots.confusionMatrix(counts: [[5, 1, 0], [0, 0, 0], [2, 0, 3]])
        let doc = try Elements.parse(svg)
        #expect(doc.cells.count == 9)
        #expect(!svg.lowercased().contains("nan") && !svg.contains("inf"))
        let emptyRow = doc.cells[3..<6]
        #expect(
            emptyRow.allSatisfy {
                $0.attributes["fill"] == "#eeeeee" && $0.tooltip.hasSuffix("(no samples of this class)")
            })
        let none = RunPlots.confusionMatrix(counts: [[0, 0], [0, 0]])
        let noneDoc = try Elements.parse(none)
        #expect(noneDoc.cells.count == 4 && noneDoc.texts.contains("accuracy: no samples"))
        #expect(!none.lowercased().contains("nan"))
    }

    @Test func manyClassesDropTheCellLabelsButKeepTheTooltipsAndNames() throws {
        for k in [17, 32] {
            let counts = (0..<k).map { i in (0..<k).map { j in i == j ? 90 + i : (i + j) % 5 } }
            let names = (0..<k).map { "class-\($0)" }
            let svg = RunPlots.confusionMatrix(counts: counts, classNames: names)
            let doc = try Elements.parse(svg)
            #expect(doc.cells.count == k * k)
            #expect(doc.cells.allSatisfy { !$0.tooltip.isEmpty })
            #expect(!doc.texts.contains(String(90 + k - 1)), "no per-cell counts at k = \(k)")
            #expect(names.allSatisfy { name in doc.texts.filter { $0 == name }.count == 2 })
            let sizes = doc.elements.filter { $0.name == "text" }.compactMap {
                Double($0.attributes["font-size"] ?? "")
            }
            #expect(sizes.min()! >= 7, "legible text at k = \(k)")
            let width = try #require(Double(doc.elements[0].attributes["width"] ?? ""))
            #expect(width < 1000)
            #expect(!svg.lowercased().contains("nan"))
        }
        // At 16 classes every cell still shows its count.
        let sixteen = (0..<16).map { i in (0..<16).map { j in i == j ? 1000 + i : 1 } }
        let doc = try Elements.parse(RunPlots.confusionMatrix(counts: sixteen))
        #expect((0..<16).allSatisfy { doc.texts.contains(String(1000 + $0)) })
    }

    @Test func longNamesAreShortenedAndTurnedUpright() throws {
        let svg = RunPlots.confusionMatrix(counts: [[1, 0], [0, 1]], classNames: ["a very long class name", "b"])
        let doc = try Elements.parse(svg)
        #expect(doc.texts.contains("a very long c…"))
        #expect(
            doc.elements.contains {
                $0.name == "text" && $0.text == "a very long c…"
                    && ($0.attributes["transform"] ?? "").contains("rotate(-90")
            })
    }

    /// Drawn by librsvg: the full diagonal cells in Chart.blue, inside the canvas.
    @Test func librsvgDrawsTheShadedDiagonal() throws {
        let dir = tempDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, counts) in [
            ("iris", Self.iris),
            ("k32", (0..<32).map { i in (0..<32).map { j in i == j ? 60 : (i + j) % 11 == 0 ? 1 : 0 } }),
        ] {
            let path = dir + "/confusion-\(name).svg"
            try RunPlots.confusionMatrix(counts: counts, title: "confusion \(name)").write(
                toFile: path, atomically: true, encoding: .utf8)
            let image = try render(path, counting: [Chart.blue])
            let blue = try #require(image.colors[Chart.blue]?.box, "\(name): no blue cell")
            #expect(blue.0 > 30 && blue.2 < image.width && blue.3 < image.height, "\(name): \(blue)")
            // The diagonal cells (iris: 72 px, 94 … 100 % of their row; k = 32: 14 px, ≥ 95 %) and the key's top.
            #expect(
                (image.colors[Chart.blue]?.count ?? 0) > 3000,
                "\(name): \(image.colors[Chart.blue]?.count ?? 0) blue pixels")
        }
    }

    @Test func aNonSquareMatrixIsRefused() async {
        await #expect(processExitsWith: .failure) {
            _ = RunPlots.confusionMatrix(counts: [[1, 2, 3], [4, 5, 6]])
        }
        await #expect(processExitsWith: .failure) {
            _ = RunPlots.confusionMatrix(counts: [[1, 2], [3]])
        }
        await #expect(processExitsWith: .failure) {
            _ = RunPlots.confusionMatrix(counts: [[1, 2], [3, 4]], classNames: ["a"])
        }
        await #expect(processExitsWith: .failure) {
            _ = RunPlots.confusionMatrix(counts: [[1, -2], [3, 4]])
        }
        await #expect(processExitsWith: .failure) {
            _ = RunPlots.confusionMatrix(counts: [])
        }
    }
}
