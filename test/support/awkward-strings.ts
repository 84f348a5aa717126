/** Strings that sit on the edges of the `yaml` library's rules: keywords, numbers, dates, indicators, quotes, blocks. */
export const AWKWARD_STRINGS = [
  '', 'yes', 'No', 'y', 'N', 'on', 'OFF', 'null', 'Null', '~', 'true', 'tRue', '1', '-1', '+1', '1e3', '.5', '0x1F', '0o7', '0b1',
  'E0', 'e+5', 'e5x', '1:20', '2026-12-04', '2026-12-04T10:00:00Z', '.inf', '.NaN', 'NaN', '-', '?', '- a', '? a', 'a: b', 'a:', 'a: ', 'a #b', 'a#b',
  ' lead', 'trail ', 'a\tb', "it's", 'say "hi"', `both ' and "`, 'héllo', 'ü', '日本', '😀', '%x', '---x', '...', 'x\u0085', '\x01',
  'a:b', 'arn:aws:iam::123456789012:role/x', 'https://example.com/a?b=c&d', '250Gi', 'v1.2', '10.0.0.0/16', 'karpenter.sh/nodepool',
  'a=b', '@x', 'x@y', '_x', '=', '<<', '*a', '&a', '!tag', '|', '>', '[a]', '{a}', 'a,b', '`x`', '\\', 'C:\\x',
  'a\nb', 'a\nb\n', 'a\nb\n\n', '\na', ' a\nb', '\ta\nb', 'a\n b', 'a\n\n\nb\n', 'a\n  \nb', 'a\nb \n', 'a\n ', 'a\nb  ', '\u00a0x', 'x\u00a0', '\u3000', 'a\u2003b',
  '---\nx', 'x\n---\n', 'x\n%y\n', '\n', '\n\n', 'a\r\nb', 'key: value\n--//\nContent-Type: text/x-shellscript\n\n#!/bin/bash\necho "$x"\n',
];
