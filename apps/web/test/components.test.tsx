// @vitest-environment jsdom
import { cleanup, render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionBadge } from '../components/ConnectionBadge';
import { FailureReason } from '../components/FailureReason';
import { NodeSteps } from '../components/NodeSteps';
import { ProgressBar } from '../components/ProgressBar';
import { failedState, runningState } from './support/fixtures';

afterEach(cleanup);

describe('ProgressBar', () => {
  it('exposes its value as an ARIA progressbar', () => {
    render(<ProgressBar value={0.456} label="Overall progress" />);
    const bar = screen.getByRole('progressbar', { name: 'Overall progress' });
    expect(bar.getAttribute('aria-valuenow')).toBe('46');
    expect(bar.getAttribute('aria-valuemin')).toBe('0');
    expect(bar.getAttribute('aria-valuemax')).toBe('100');
    expect(bar.getAttribute('aria-valuetext')).toBe('46%');
  });

  it('clamps values outside 0..1', () => {
    render(<ProgressBar value={3} label="Too much" />);
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
  });
});

describe('NodeSteps', () => {
  it('lists every step in order with its status, duration and the progress of the running one', () => {
    render(<NodeSteps nodes={runningState().nodes} />);
    const items = screen.getAllByRole('listitem');
    expect(items.map((li) => li.querySelector('.step__name')?.textContent)).toEqual([
      'Check inputs',
      'Write the script',
      'Synthesise speech',
      'Render the talking portrait',
      'Finalise the video',
    ]);
    expect(items[2]?.textContent).toContain('Done · 3.0 s');
    const running = items[3];
    if (!running) throw new Error('no running step');
    expect(running.getAttribute('aria-current')).toBe('step');
    expect(running.textContent).toContain('Running · 40%');
    expect(within(running).getByRole('progressbar').getAttribute('aria-valuenow')).toBe('40');
    expect(items[4]?.textContent).toContain('Waiting');
  });

  it('says when there are no steps yet', () => {
    render(<NodeSteps nodes={[]} />);
    expect(screen.getByText('The steps appear when the job starts.')).toBeTruthy();
  });
});

describe('FailureReason', () => {
  it('shows the node, the code and the message of a failure as an alert', () => {
    render(<FailureReason state={failedState()} />);
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Failed at “Render the talking portrait” render');
    expect(within(alert).getByText('NO_FACE_FOUND')).toBeTruthy();
    expect(alert.textContent).toContain('no face was found in the portrait');
  });
});

describe('ConnectionBadge', () => {
  it('says the updates are live when open', () => {
    render(
      <ConnectionBadge
        connection={{ status: 'open', attempt: 0, retryAt: null, lastMessageAt: Date.now() }}
        onReconnect={() => {}}
      />,
    );
    expect(screen.getByRole('status').textContent).toBe('Live updates');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('shows the attempt and the countdown while reconnecting, and can try now', async () => {
    const onReconnect = vi.fn();
    render(
      <ConnectionBadge
        connection={{ status: 'reconnecting', attempt: 3, retryAt: Date.now() + 4000, lastMessageAt: null }}
        onReconnect={onReconnect}
      />,
    );
    expect(screen.getByRole('status').textContent).toBe('Reconnecting… (attempt 3)');
    expect(screen.getByText(/next try in [34] s/)).toBeTruthy();
    await userEvent.click(screen.getByRole('button', { name: 'Reconnect now' }));
    expect(onReconnect).toHaveBeenCalledTimes(1);
  });
});
