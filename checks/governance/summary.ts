/**
 * The Markdown explanation of a governance evaluation: the `autopack/governance` Check Run
 * summary and the body of the `/autopack status` comment. One table row per triggered rule —
 * matched files, approvals required and given, by whom, when, for which head, and exactly who
 * could still approve — then holds, approvals that no longer count (and why), rules whose
 * conditions did not hold, and commands never answered. Everything echoed is escaped and
 * redacted, and no mention in it notifies anyone.
 */
import { mdCode } from '../report/markdown.js';
import { redact } from '../redact.js';
import type { GovernanceEvaluation, RuleResult } from './evaluate.js';
import type { LedgerSource } from './ledger.js';
import type { PullRequestFacts } from './types.js';

const MAX_FILES_PER_RULE = 8;
const MAX_LIST = 20;

/** A value (path, rule id, SHA) as one inline code span that survives any content. */
function c(s: string): string {
  return mdCode(s);
}

/**
 * Text safe inside a table cell or list item while keeping its inline code spans: redacted,
 * HTML and table pipes escaped, one line, and `@name` broken with a zero-width space so the
 * summary and the status comment never notify anyone (a team mention would page a whole team).
 */
export function safe(s: string): string {
  return redact(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/@(?=[A-Za-z0-9])/g, '@\u200b')
    .replace(/\r?\n|\r/g, ' ');
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function when(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z').replace('T', ' ');
}

function sourceLink(s: LedgerSource, recordUrl?: string): string {
  const what = s.type === 'comment' ? 'comment' : s.type === 'review' ? 'review' : 'Approve button';
  const url = s.url ?? recordUrl;
  return url ? `[${what}](${url})` : what;
}

function filesCell(r: RuleResult): string {
  const shown = r.files.slice(0, MAX_FILES_PER_RULE).map((f) => {
    const p =
      f.file.previousPath && f.file.previousPath !== f.file.path
        ? `${f.file.previousPath} → ${f.file.path}`
        : f.file.path;
    return `${c(p)} (${f.file.status})`;
  });
  if (r.files.length > MAX_FILES_PER_RULE)
    shown.push(`…and ${r.files.length - MAX_FILES_PER_RULE} more`);
  return shown.join('<br>');
}

function byCell(r: RuleResult): string {
  if (r.counted.length === 0) return '—';
  return r.counted
    .map(
      (a) =>
        `${safe('@' + a.by)} at ${when(a.at)} for ${c(short(a.head))} via ${safe(a.via.join(', '))} (${sourceLink(a.source, a.recordUrl)})`,
    )
    .join('<br>');
}

function couldCell(r: RuleResult): string {
  if (r.satisfied) return '—';
  const people = r.candidates.logins.slice(0, MAX_LIST).map((l) => `${safe('@' + l)}`);
  if (r.candidates.logins.length > MAX_LIST)
    people.push(`…and ${r.candidates.logins.length - MAX_LIST} more`);
  const parts = [...people, ...r.candidates.groups.map(safe)];
  const cell = parts.length
    ? parts.join(', ')
    : '**nobody** — no eligible approver exists; change the policy on the base branch or the approvers';
  return `${cell}<br>${r.missing.map(safe).join('<br>')}`;
}

/** Renders the explanation. `pr` gives the head and links. */
export function renderGovernanceSummary(ev: GovernanceEvaluation, pr: PullRequestFacts): string {
  const out: string[] = [];
  if (ev.problems.length) {
    out.push(
      '**The governance policy has errors**; nothing can be approved until the base branch fixes them:',
      '',
    );
    for (const p of ev.problems) out.push(`- ${safe(p)}`);
    out.push('');
  }
  if (ev.rules.length === 0) {
    out.push(
      `No protected paths changed at ${c(short(pr.headSha))}: no rule of the policy matches the ${pr.files.length} changed file(s).`,
    );
  } else {
    out.push(
      '| Rule | Matched files | Required | Given | Approved by (when, head, how) | Could still approve |',
      '|---|---|---|---|---|---|',
    );
    for (const r of ev.rules) {
      const mark = r.satisfied ? '✅' : '⏳';
      const desc = r.rule.description ? `<br>${safe(r.rule.description)}` : '';
      out.push(
        `| ${mark} ${c(r.rule.id)}${desc} | ${filesCell(r)} | ${r.required} | ${r.counted.length} | ${byCell(r)} | ${couldCell(r)} |`,
      );
    }
  }
  if (ev.holds.length) {
    out.push('', `**On hold** — \`/autopack unhold\` by an eligible approver lifts it:`);
    for (const h of ev.holds)
      out.push(`- ${safe('@' + h.by)} at ${when(h.at)} (${sourceLink(h.source)})`);
  }
  const uncounted = ev.rules.flatMap((r) => r.uncounted.map((u) => ({ rule: r.rule.id, ...u })));
  const dropped = ev.ledger.dropped;
  if (uncounted.length || dropped.length) {
    out.push(
      '',
      `<details><summary>Approvals that do not count (${uncounted.length + dropped.length})</summary>`,
      '',
    );
    for (const u of uncounted.slice(0, MAX_LIST)) {
      out.push(
        `- ${c(u.rule)}: ${safe('@' + u.by)} at ${when(u.at)} for ${c(short(u.head))} (${sourceLink(u.source)}): ${safe(u.reason)}`,
      );
    }
    for (const d of dropped.slice(0, MAX_LIST)) {
      out.push(
        `- ${d.rules.map(c).join(', ')}: ${safe('@' + d.by)} at ${when(d.at)} (${sourceLink(d.source)}): ${safe(d.reason)}`,
      );
    }
    out.push('', '</details>');
  }
  if (ev.notApplicable.length) {
    out.push(
      '',
      '<details><summary>Rules whose paths matched but whose conditions do not hold</summary>',
      '',
    );
    for (const n of ev.notApplicable)
      out.push(`- ${c(n.rule.id)} (${n.files.length} file(s)): ${safe(n.reason)}`);
    out.push('', '</details>');
  }
  if (ev.ledger.unanswered.length) {
    out.push(
      '',
      'Commands never answered by the app (they do not count; post them again in a new comment):',
    );
    for (const u of ev.ledger.unanswered.slice(0, MAX_LIST)) {
      out.push(
        `- ${safe('@' + u.author)}: ${u.verbs.map((v) => c(`/autopack ${v}`)).join(', ')}${u.url ? ` ([comment](${u.url}))` : ''}`,
      );
    }
  }
  if (ev.notes.length) {
    out.push('', '<details><summary>Notes</summary>', '');
    for (const n of ev.notes.slice(0, MAX_LIST)) out.push(`- ${safe(n)}`);
    out.push('', '</details>');
  }
  out.push(
    '',
    `Evaluated at head ${c(short(pr.headSha))} with the policy of the base branch ${c(pr.baseRef)}. ` +
      'Approve with `/autopack approve` (or `/autopack approve <rule-id>`) on its own line; `/autopack status` explains, `/autopack hold` blocks.',
  );
  return out.join('\n');
}
