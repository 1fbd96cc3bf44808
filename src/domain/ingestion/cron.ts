/**
 * Checks a cron expression the way Temporal Schedules read one
 * (`ScheduleSpec.cronExpressions`): 5 fields (minute hour day-of-month month
 * day-of-week), 6 (plus year) or 7 (second first, year last); `@yearly`,
 * `@monthly`, `@weekly`, `@daily`, `@hourly`; `@every <n><s|m|h|d>[/<phase>]`;
 * an optional `CRON_TZ=`/`TZ=` prefix and a trailing `# comment`. Returns
 * what is wrong, or undefined when the expression is well formed.
 */
export function cronProblem(expression: string): string | undefined {
  let text = expression.replace(/#.*$/, '').trim();
  text = text.replace(/^(CRON_TZ|TZ)=\S+\s+/, '');
  if (!text) return 'it is empty';
  if (text.startsWith('@')) {
    if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(text)) return undefined;
    if (/^@every\s+\d+[smhd](\/\d+[smhd])?$/.test(text)) {
      return /^@every\s+0+[smhd]/.test(text) ? 'an @every interval must be longer than zero' : undefined;
    }
    return `"${text}" is not a shorthand Temporal knows (@yearly, @monthly, @weekly, @daily, @hourly, or @every 15m)`;
  }
  const fields = text.split(/\s+/);
  if (![5, 6, 7].includes(fields.length))
    return `it has ${fields.length} field(s); Temporal reads 5 (minute hour day-of-month month day-of-week), 6 (plus year) or 7 (second first)`;
  const layout = fields.length === 7 ? SEVEN : fields.length === 6 ? SIX : FIVE;
  for (const [index, field] of fields.entries()) {
    const problem = fieldProblem(field, layout[index]!);
    if (problem) return `${layout[index]!.name} "${field}": ${problem}`;
  }
  return undefined;
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const SECOND: FieldRule = { name: 'second', min: 0, max: 59 };
const MINUTE: FieldRule = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldRule = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { name: 'day of month', min: 1, max: 31 };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: FieldRule = { name: 'day of week', min: 0, max: 7, names: DAYS };
const YEAR: FieldRule = { name: 'year', min: 1970, max: 2999 };

const FIVE = [MINUTE, HOUR, DAY_OF_MONTH, MONTH, DAY_OF_WEEK];
const SIX = [...FIVE, YEAR];
const SEVEN = [SECOND, ...FIVE, YEAR];

function valueOf(text: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const named = rule.names?.findIndex((name) => name === text.toUpperCase().slice(0, 3));
  if (named === undefined || named < 0 || text.length < 3) return undefined;
  return rule.names === MONTHS ? named + 1 : named;
}

function fieldProblem(field: string, rule: FieldRule): string | undefined {
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined) return `"${part}" has more than one "/"`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `the step "${step}" must be a positive number`;
    if (range === '*' || range === '?') continue;
    const [from, to, more] = (range ?? '').split('-');
    if (more !== undefined || !from) return `"${part}" is not a value, a range (a-b) or *`;
    for (const bound of [from, to]) {
      if (bound === undefined) continue;
      const value = valueOf(bound, rule);
      if (value === undefined) return `"${bound}" is not a ${rule.name}`;
      if (value < rule.min || value > rule.max) return `${value} is outside ${rule.min}-${rule.max}`;
    }
    if (to !== undefined && valueOf(from, rule)! > valueOf(to, rule)!)
      return `the range "${range}" runs backwards`;
  }
  return undefined;
}
