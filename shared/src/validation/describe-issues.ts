// Zod issues → a short, readable list ("- lessons[2].title: Required"), at most 30 lines. Neutral on purpose: the
// OpenAI client (repair messages), the local LLM provider and the local structure builder all report schema
// problems the same way, and none of them should have to import another's module for it.
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const lines = issues.slice(0, 30).map((i) => {
    const path = i.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
    return `- ${path || '(root)'}: ${i.message}`;
  });
  if (issues.length > 30) lines.push(`- … and ${issues.length - 30} more`);
  return lines.join('\n');
}
