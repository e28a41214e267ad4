//! The trend chart: the compliance rate of each host platform run by run, with the deadline
//! marked, drawn by plotters as inline SVG (no script, no fetch). Lines differ by colour AND
//! by marker shape, so the chart still reads when printed in black and white; a table of the
//! same numbers sits under it for anyone who cannot read a chart.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::RenderError;
use crate::assess::{Directory, RunPoint, Series};

const WIDTH: u32 = 960;
const HEIGHT: u32 = 380;

/// Okabe–Ito colours: distinguishable for the common colour-vision deficiencies.
const COLOURS: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 0, 0),
];

const DEADLINE: RGBColor = RGBColor(200, 30, 30);

/// What the chart draws.
pub struct Chart<'a> {
    pub runs: &'a [RunPoint],
    pub series: &'a [Series],
    pub deadlines: &'a [NaiveDate],
    pub directory: &'a Directory,
    pub zh: bool,
    pub y_label: &'a str,
    pub deadline_label: &'a str,
}

/// The marker shapes, cycled with the colours.
#[derive(Clone, Copy)]
enum Marker {
    Circle,
    Triangle,
    Cross,
    Square,
}

impl Marker {
    fn nth(i: usize) -> Marker {
        const ALL: [Marker; 4] = [
            Marker::Circle,
            Marker::Triangle,
            Marker::Cross,
            Marker::Square,
        ];
        // 4 shapes against 7 colours: every (colour, shape) pair differs for 28 series, and
        // neighbouring series differ in shape too, which is what tells them apart in print.
        ALL[i % ALL.len()]
    }
}

impl Chart<'_> {
    /// The chart as an `<svg>` element.
    pub fn svg(&self) -> Result<String, RenderError> {
        let mut out = String::new();
        self.draw(&mut out).map_err(RenderError::Chart)?;
        Ok(out)
    }

    /// The time axis: the runs, widened to a deadline that falls near them (a deadline
    /// years before the first run would squash every run into the right edge).
    fn x_range(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let first = self.runs.first().map(|r| r.at).unwrap_or_default();
        let last = self.runs.last().map(|r| r.at).unwrap_or(first);
        let span = (last - first).max(Duration::days(2));
        let (mut from, mut to) = (first, last);
        for deadline in self.shown_deadlines() {
            from = from.min(deadline);
            to = to.max(deadline);
        }
        let pad = span / 20;
        (from - pad, to + pad)
    }

    /// The deadlines the chart draws: those within a month (or the runs' span) of the runs.
    pub fn shown_deadlines(&self) -> Vec<DateTime<Utc>> {
        let first = self.runs.first().map(|r| r.at).unwrap_or_default();
        let last = self.runs.last().map(|r| r.at).unwrap_or(first);
        let span = (last - first).max(Duration::days(30));
        self.deadlines
            .iter()
            .filter_map(|d| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
            .filter(|d| *d >= first - span && *d <= last + span)
            .collect()
    }

    fn draw(&self, out: &mut String) -> Result<(), String> {
        // The backend borrows `out` for 'static-free drawing; the SVG is complete on drop.
        let backend = SVGBackend::with_string(out, (WIDTH, HEIGHT));
        let root = backend.into_drawing_area();
        root.fill(&WHITE).map_err(text)?;
        let (from, to) = self.x_range();
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(52)
            .build_cartesian_2d(from..to, 0f64..100f64)
            .map_err(text)?;
        chart
            .configure_mesh()
            .y_desc(self.y_label)
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .x_label_formatter(&|t: &DateTime<Utc>| t.format("%Y-%m-%d").to_string())
            .x_labels(6)
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(text)?;
        for deadline in self.shown_deadlines() {
            let line = [(deadline, 0.0), (deadline, 100.0)];
            chart
                .draw_series(DashedLineSeries::new(line, 6, 4, DEADLINE.stroke_width(2)))
                .map_err(text)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("{} {}", self.deadline_label, deadline.format("%Y-%m-%d")),
                    (deadline, 97.0),
                    ("sans-serif", 13).into_font().color(&DEADLINE),
                )))
                .map_err(text)?;
        }
        for (i, series) in self.series.iter().enumerate() {
            self.draw_series(&mut chart, i, series).map_err(text)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(text)?;
        root.present().map_err(text)?;
        Ok(())
    }

    fn draw_series<'b>(
        &self,
        chart: &mut TrendContext<'b>,
        i: usize,
        series: &Series,
    ) -> Result<(), String> {
        let colour = COLOURS[i % COLOURS.len()];
        let marker = Marker::nth(i);
        let points: Vec<Option<(DateTime<Utc>, f64)>> = series
            .rates
            .iter()
            .zip(self.runs)
            .map(|(rate, run)| rate.map(|r| (run.at, r * 100.0)))
            .collect();
        // A run that did not measure the host breaks its line rather than bridging the gap.
        for segment in points.split(|p| p.is_none()) {
            let segment: Vec<(DateTime<Utc>, f64)> = segment.iter().flatten().copied().collect();
            chart
                .draw_series(LineSeries::new(segment, colour.stroke_width(2)))
                .map_err(text)?;
        }
        let name = self
            .directory
            .name(&series.host_platform, self.zh)
            .to_string();
        let at = points.iter().flatten().copied();
        let (fill, stroke) = (colour.filled(), colour.stroke_width(2));
        let drawn = match marker {
            Marker::Circle => chart.draw_series(at.map(|p| Circle::new(p, 4, fill))),
            Marker::Triangle => chart.draw_series(at.map(|p| TriangleMarker::new(p, 5, fill))),
            Marker::Cross => chart.draw_series(at.map(|p| Cross::new(p, 4, stroke))),
            Marker::Square => chart.draw_series(
                at.map(|p| EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], fill)),
            ),
        };
        let anno = drawn.map_err(text)?.label(name);
        // The legend's sample: the marker on a short line, as the series is drawn.
        let line = move |at| EmptyElement::at(at) + PathElement::new([(-10, 0), (10, 0)], stroke);
        match marker {
            Marker::Circle => anno.legend(move |at| line(at) + Circle::new((0, 0), 4, fill)),
            Marker::Triangle => {
                anno.legend(move |at| line(at) + TriangleMarker::new((0, 0), 5, fill))
            }
            Marker::Cross => anno.legend(move |at| line(at) + Cross::new((0, 0), 4, stroke)),
            Marker::Square => {
                anno.legend(move |at| line(at) + Rectangle::new([(-4, -4), (4, 4)], fill))
            }
        };
        Ok(())
    }
}

type TrendContext<'b> =
    ChartContext<'b, SVGBackend<'b>, Cartesian2d<RangedDateTime<DateTime<Utc>>, RangedCoordf64>>;

fn text(error: impl std::fmt::Display) -> String {
    error.to_string()
}
