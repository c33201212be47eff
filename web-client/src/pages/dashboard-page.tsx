import { useState } from 'preact/hooks';
import type { ApiUser } from '../api/auth-api.ts';
import { useApp } from '../app/app-context.ts';
import { canSeeDashboard } from '../app/routes.ts';
import { BarChart, type BarDatum } from '../ui/bar-chart.tsx';
import { errorMessage } from '../ui/error-message.ts';
import { EmptyState, LoadFailed, LoadingBlock } from '../ui/feedback.tsx';
import { formatDayKey, formatDuration, formatMinutes, plural } from '../ui/format.ts';
import { ChartIcon, LockIcon } from '../ui/icons.tsx';
import { PageHeader } from '../ui/page-header.tsx';
import { useAsync } from '../ui/use-async.ts';
import {
  type DayStats,
  PERIODS,
  type PeriodDays,
  type SessionReport,
  fillDays,
  periodOf,
  reportPath,
} from './dashboard-data.ts';

/** Session durations per day for analysts and admins: a chart of total minutes and the statistics. */
export function DashboardPage(props: { user: ApiUser }) {
  if (!canSeeDashboard(props.user.role)) return <NotAllowed />;
  return <Dashboard />;
}

function NotAllowed() {
  return (
    <div class="page">
      <PageHeader title="Dashboard" />
      <section class="card">
        <div class="empty-state">
          <div class="empty-state__icon">
            <LockIcon size={28} />
          </div>
          <h2 class="empty-state__title">You are not allowed to see the dashboard</h2>
          <div class="empty-state__text">
            <p>
              Session analytics are for analysts and admins. Ask an admin of this Attune server if
              you need access.
            </p>
          </div>
          <a class="button button--secondary" href="/talk">
            Back to Talk
          </a>
        </div>
      </section>
    </div>
  );
}

function Dashboard() {
  const { session } = useApp();
  const [days, setDays] = useState<PeriodDays>(30);
  const { state, retry } = useAsync(async () => {
    const period = periodOf(days, Date.now());
    const report = await session.request<SessionReport>({
      method: 'GET',
      path: reportPath(period),
    });
    return { report, days: fillDays(report.groups, period.days) };
  }, [days]);

  return (
    <div class="page page--wide">
      <PageHeader title="Dashboard" actions={<PeriodPicker value={days} onChange={setDays} />}>
        How long people talk with the assistant: ended voice sessions by the day they started (UTC).
      </PageHeader>
      {state.status === 'loading' ? (
        <section class="card">
          <LoadingBlock label="Loading session statistics…" />
        </section>
      ) : state.status === 'failed' ? (
        <section class="card">
          <LoadFailed message={errorMessage(state.error)} onRetry={() => void retry()} />
        </section>
      ) : (
        <Report report={state.data.report} days={state.data.days} period={days} />
      )}
    </div>
  );
}

function PeriodPicker(props: { value: PeriodDays; onChange: (days: PeriodDays) => void }) {
  return (
    <div class="segmented" role="radiogroup" aria-label="Period">
      {PERIODS.map((days) => (
        <label
          key={days}
          class={`segmented__option ${props.value === days ? 'segmented__option--on' : ''}`}
        >
          <input
            type="radio"
            name="period"
            value={days}
            checked={props.value === days}
            onChange={() => props.onChange(days)}
          />
          <span>Last {days} days</span>
        </label>
      ))}
    </div>
  );
}

function Report(props: { report: SessionReport; days: DayStats[]; period: PeriodDays }) {
  const { overall } = props.report;
  const active = props.days.filter((day) => day.sessions > 0);
  const data: BarDatum[] = props.days.map((day) => ({
    key: day.day,
    value: day.total_seconds / 60,
    label: formatDayKey(day.day),
    description: `${formatDayKey(day.day, { weekday: true })}: ${formatMinutes(day.total_seconds)} in ${plural(day.sessions, 'session')}`,
  }));
  const busiest = active.reduce<DayStats | undefined>(
    (best, day) => (!best || day.total_seconds > best.total_seconds ? day : best),
    undefined,
  );
  const chartSummary =
    overall.sessions === 0
      ? 'No sessions in this period.'
      : `${plural(overall.sessions, 'session')} over ${plural(active.length, 'day')}, ${formatMinutes(overall.total_seconds)} in total.` +
        (busiest
          ? ` The busiest day was ${formatDayKey(busiest.day, { weekday: true })} with ${formatMinutes(busiest.total_seconds)}.`
          : '');

  return (
    <>
      <section class="stats" aria-label="Summary of the period">
        <Stat label="Sessions" value={overall.sessions.toLocaleString('en')} />
        <Stat label="Total time" value={formatDuration(overall.total_seconds)} />
        <Stat label="Mean" value={formatDuration(overall.mean_seconds)} />
        <Stat label="Median (p50)" value={formatDuration(overall.p50_seconds)} />
        <Stat label="p90" value={formatDuration(overall.p90_seconds)} />
        <Stat label="Longest" value={formatDuration(overall.max_seconds)} />
      </section>

      <section class="card" aria-labelledby="chart-title">
        <div class="card__header">
          <h2 class="card__title" id="chart-title">
            Minutes talked per day
          </h2>
          <span class="card__meta">
            {plural(overall.tokens.issued, 'token')} issued ·{' '}
            {overall.tokens.joined.toLocaleString('en')} joined ·{' '}
            {overall.tokens.expired.toLocaleString('en')} never used
          </span>
        </div>
        {overall.sessions === 0 ? (
          <EmptyState icon={<ChartIcon size={28} />} title="No sessions in this period">
            <p>
              Once people talk with the assistant, their ended sessions show up here by day. Try a
              longer period.
            </p>
          </EmptyState>
        ) : (
          <BarChart
            data={data}
            title={`Minutes talked per day, last ${props.period} days`}
            description={chartSummary}
            formatTick={(value) => (value === 0 ? '0' : `${value}m`)}
          />
        )}
      </section>

      {active.length > 0 ? (
        <section class="card card--flush" aria-labelledby="table-title">
          <details class="day-table" open={active.length <= 10}>
            <summary class="day-table__summary">
              <h2 class="card__title" id="table-title">
                Day by day
              </h2>
              <span class="card__meta">{plural(active.length, 'day')} with sessions</span>
            </summary>
            <div class="table-scroll">
              <table class="table">
                <caption class="visually-hidden">
                  Ended sessions per day: count and durations
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Day</th>
                    <th scope="col" class="num">
                      Sessions
                    </th>
                    <th scope="col" class="num">
                      Total
                    </th>
                    <th scope="col" class="num wide-only">
                      Mean
                    </th>
                    <th scope="col" class="num wide-only">
                      p50
                    </th>
                    <th scope="col" class="num wide-only">
                      p90
                    </th>
                    <th scope="col" class="num wide-only">
                      Max
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {[...active].reverse().map((day) => (
                    <tr key={day.day}>
                      <th scope="row">{formatDayKey(day.day, { weekday: true })}</th>
                      <td class="num">{day.sessions}</td>
                      <td class="num">{formatDuration(day.total_seconds)}</td>
                      <td class="num wide-only">{formatDuration(day.mean_seconds)}</td>
                      <td class="num wide-only">{formatDuration(day.p50_seconds)}</td>
                      <td class="num wide-only">{formatDuration(day.p90_seconds)}</td>
                      <td class="num wide-only">{formatDuration(day.max_seconds)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </section>
      ) : null}
    </>
  );
}

function Stat(props: { label: string; value: string }) {
  return (
    <div class="stat">
      <span class="stat__label">{props.label}</span>
      <span class="stat__value">{props.value}</span>
    </div>
  );
}
