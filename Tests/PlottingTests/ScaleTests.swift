import Testing

@testable import Plotting

@Suite struct ScaleTests {
    @Test func niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(Scale.niceStep(0.7) == 1)
        #expect(Scale.niceStep(1.3) == 2)
        #expect(Scale.niceStep(3) == 5)
        #expect(Scale.niceStep(0.031) == 0.05)
        #expect(Scale.niceStep(600) == 1000)
        #expect(Scale.niceStep(20) == 20)
    }

    @Test func linearDomainIsWidenedToWholeTicksAndMapsEndsToTheRange() {
        let s = Scale(values: [0.3, 9.2], to: (100, 500))
        #expect(s.domain == 0...10)
        #expect(s.ticks == [0, 2, 4, 6, 8, 10])
        #expect(s.pixel(0) == 100)
        #expect(s.pixel(10) == 500)
        #expect(s.pixel(5) == 300)
        #expect(s.label(4) == "4")
    }

    @Test func yAxesGrowUpwards() {
        let s = Scale(values: [-1, 1], to: (400, 40))
        #expect(s.pixel(s.domain.lowerBound) == 400)
        #expect(s.pixel(s.domain.upperBound) == 40)
        #expect(s.ticks.contains(0))
        #expect(s.label(-0.5) == "−0.5")
    }

    @Test func integerTicksNeverFallBetweenWholeNumbers() {
        let s = Scale(values: [1, 2], to: (0, 100), integerTicks: true)
        #expect(s.ticks.allSatisfy { $0 == $0.rounded() })
        #expect(s.ticks.contains(1) && s.ticks.contains(2))
    }

    @Test func logScalesCoverWholeDecadesAndLabelThem() {
        let s = Scale(values: [0.0035, 42], to: (0, 500), kind: .log)
        #expect(s.domain.lowerBound == 0.001)
        #expect(s.domain.upperBound == 100)
        #expect(s.ticks == [0.001, 0.01, 0.1, 1, 10, 100])
        #expect(abs(s.pixel(0.1) - 200) < 1e-9)
        #expect(s.label(0.001) == "0.001")
        #expect(s.label(1e-6) == "1e−6")
        #expect(s.label(100) == "100")
    }

    @Test func aConstantSeriesStillGetsAnAxis() {
        let s = Scale(values: [3, 3, 3], to: (0, 100))
        #expect(s.domain.lowerBound < 3 && s.domain.upperBound > 3)
        #expect(s.ticks.count >= 2)
    }

    @Test func decadesAreDetectedOnlyForPositiveSeries() {
        #expect(Scale.spansDecades([100, 20, 0.5]))
        #expect(!Scale.spansDecades([1, 2, 3]))
        #expect(!Scale.spansDecades([100, -1, 0.5]))
    }
}
