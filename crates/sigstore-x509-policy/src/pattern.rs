//! Identity regexes: the `regex` syntax with Unicode `\w`, `\d`, `\s` and `(?i)`, compiled
//! without the regex crates' Unicode tables.
//!
//! Those tables hold a pointer per entry (case folding alone has some 2,900), so in a
//! position-independent binary the dynamic loader has to write every page of them at start-up,
//! whether or not a regex is ever compiled. Here the same data is kept as plain character
//! ranges (`unicode_tables`, generated from `regex-syntax` and checked against it by a test),
//! and a pattern is rewritten before translation:
//!
//! - `\w`, `\d`, `\s` (and `\W`, `\D`, `\S`, inside classes too) become the classes they stand
//!   for;
//! - in a case-insensitive scope, every literal and class is closed under Unicode simple case
//!   folding (fold first, then negate, as `regex-syntax` does), and the `i` flag is dropped;
//! - Unicode property classes (`\p{..}`) are refused, and so is turning Unicode mode off
//!   (`(?-u)`), which no other Sigstore client's regex syntax has.
//!
//! What is left translates (with `regex-syntax`) into the same expression the `regex` crate
//! would build from the original pattern, checked by a differential test against it.

use regex_automata::meta;
use regex_syntax::ast::{
    self, Ast, ClassBracketed, ClassPerl, ClassPerlKind, ClassSet, ClassSetItem, ClassSetRange,
    ClassSetUnion, Flag, Flags, FlagsItemKind, HexLiteralKind, Literal, LiteralKind, Span,
};
use regex_syntax::hir::{self, Hir, Look};

use crate::unicode_tables::{CASE_FOLD, PERL_DIGIT, PERL_SPACE, PERL_WORD};

/// Compiles `pattern` so that it must match a whole value (`\A(?:pattern)\z`).
pub(crate) fn compile_anchored(pattern: &str) -> Result<meta::Regex, String> {
    let mut ast = ast::parse::ParserBuilder::new()
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    Rewriter::new().ast(&mut ast)?;
    #[cfg(debug_assertions)]
    {
        let left = needs_tables(&ast);
        debug_assert!(left.is_empty(), "{pattern:?} still needs tables: {left:?}");
    }
    let hir = translator()
        .translate(pattern, &ast)
        .map_err(|e| e.to_string())?;
    let anchored = Hir::concat(vec![Hir::look(Look::Start), hir, Hir::look(Look::End)]);
    meta::Regex::builder()
        .build_from_hir(&anchored)
        .map_err(|e| e.to_string())
}

/// The translator every rewritten pattern goes through: Unicode mode, UTF-8 matches only.
fn translator() -> hir::translate::Translator {
    hir::translate::TranslatorBuilder::new()
        .unicode(true)
        .utf8(true)
        .build()
}

/// Finds what would need the Unicode tables in translation: a Perl or Unicode class, or
/// the `i` flag. Debug builds (and so the tests, which are built with those tables, where a
/// miss would not show as an error) check every rewritten pattern with it.
#[cfg(any(test, debug_assertions))]
struct NeedsTables(Vec<String>);

#[cfg(any(test, debug_assertions))]
impl ast::Visitor for &mut NeedsTables {
    type Output = ();
    type Err = ();

    fn finish(self) -> Result<(), ()> {
        Ok(())
    }

    fn visit_pre(&mut self, ast: &Ast) -> Result<(), ()> {
        let flags = match ast {
            Ast::ClassPerl(_) | Ast::ClassUnicode(_) => {
                self.0.push(format!("{ast:?}"));
                None
            }
            Ast::Flags(set) => Some(&set.flags),
            Ast::Group(group) => group.flags(),
            _ => None,
        };
        if flags.is_some_and(|flags| flags.flag_state(Flag::CaseInsensitive).is_some()) {
            self.0.push(format!("{flags:?}"));
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), ()> {
        if matches!(item, ClassSetItem::Perl(_) | ClassSetItem::Unicode(_)) {
            self.0.push(format!("{item:?}"));
        }
        Ok(())
    }
}

#[cfg(any(test, debug_assertions))]
fn needs_tables(ast: &Ast) -> Vec<String> {
    let mut found = NeedsTables(Vec::new());
    let _ = ast::visit(ast, &mut found);
    found.0
}

/// How many character ranges a rewrite may add to a pattern's AST (about 18 MB of it): room
/// for some 130 `\w` or a case-insensitive class of every character many times over, while a
/// long run of `\w` fails with an error instead of taking gigabytes (each range is ~180 bytes
/// of AST; the `regex` crate's own translation takes 8 bytes per range).
const MAX_ADDED_RANGES: usize = 100_000;

/// Walks the AST in the order the translator does, tracking the `i` flag.
struct Rewriter {
    case_insensitive: bool,
    ranges_left: usize,
}

impl Rewriter {
    fn new() -> Self {
        Self {
            case_insensitive: false,
            ranges_left: MAX_ADDED_RANGES,
        }
    }

    /// Accounts for `ranges` about to be added to the AST.
    fn spend<T>(&mut self, ranges: &[T]) -> Result<(), String> {
        self.ranges_left = self.ranges_left.checked_sub(ranges.len()).ok_or_else(|| {
            format!(
                "the pattern is too large once its Unicode classes are expanded \
                 (more than {MAX_ADDED_RANGES} character ranges)"
            )
        })?;
        Ok(())
    }

    /// Rewrites `ast` in place (`Ast` and `ClassSet` have their own `Drop`, so nothing is
    /// moved out of them).
    fn ast(&mut self, ast: &mut Ast) -> Result<(), String> {
        let replacement = match ast {
            Ast::Empty(_) | Ast::Dot(_) | Ast::Assertion(_) => None,
            Ast::Flags(set) => {
                self.apply_flags(&mut set.flags)?;
                set.flags.items.is_empty().then(|| Ast::empty(set.span))
            }
            Ast::Literal(literal) if self.case_insensitive => {
                let ranges = folded(vec![(literal.c, literal.c)]);
                if ranges.len() > 1 {
                    self.spend(&ranges)?;
                    Some(Ast::class_bracketed(bracketed(
                        literal.span,
                        false,
                        &ranges,
                    )))
                } else {
                    None
                }
            }
            Ast::Literal(_) => None,
            Ast::ClassUnicode(class) => return Err(unicode_class_refused(&class.span)),
            // Perl classes are closed under case folding: no folding, as in `regex-syntax`.
            Ast::ClassPerl(perl) => {
                self.spend(perl_table(perl))?;
                Some(Ast::class_bracketed(perl_class(perl)))
            }
            Ast::ClassBracketed(class) => {
                self.set(&mut class.kind)?;
                None
            }
            Ast::Repetition(repetition) => {
                self.ast(&mut repetition.ast)?;
                None
            }
            Ast::Group(group) => {
                let saved = self.case_insensitive;
                if let ast::GroupKind::NonCapturing(flags) = &mut group.kind {
                    self.apply_flags(flags)?;
                }
                self.ast(&mut group.ast)?;
                self.case_insensitive = saved;
                None
            }
            Ast::Alternation(alternation) => {
                for ast in &mut alternation.asts {
                    self.ast(ast)?;
                }
                None
            }
            Ast::Concat(concat) => {
                for ast in &mut concat.asts {
                    self.ast(ast)?;
                }
                None
            }
        };
        if let Some(replacement) = replacement {
            *ast = replacement;
        }
        Ok(())
    }

    /// Applies a flag group to the state and removes `i` from it (with a negation left
    /// without flags). Turning Unicode off is refused.
    fn apply_flags(&mut self, flags: &mut Flags) -> Result<(), String> {
        let mut negated = false;
        for item in &flags.items {
            match item.kind {
                FlagsItemKind::Negation => negated = true,
                FlagsItemKind::Flag(Flag::CaseInsensitive) => self.case_insensitive = !negated,
                FlagsItemKind::Flag(Flag::Unicode) if negated => {
                    return Err(format!(
                        "Unicode mode cannot be turned off (the flag at offset {})",
                        item.span.start.offset
                    ))
                }
                FlagsItemKind::Flag(_) => {}
            }
        }
        flags
            .items
            .retain(|item| item.kind != FlagsItemKind::Flag(Flag::CaseInsensitive));
        if flags
            .items
            .last()
            .is_some_and(|item| item.kind == FlagsItemKind::Negation)
        {
            flags.items.pop();
        }
        Ok(())
    }

    /// Expands Perl classes in a class set and, in a case-insensitive scope, folds every
    /// member; nested classes are folded before their negation, as the translator does.
    fn set(&mut self, set: &mut ClassSet) -> Result<(), String> {
        match set {
            ClassSet::Item(item) => self.item(item),
            ClassSet::BinaryOp(op) => {
                self.set(&mut op.lhs)?;
                self.set(&mut op.rhs)
            }
        }
    }

    fn item(&mut self, item: &mut ClassSetItem) -> Result<(), String> {
        let replacement = match item {
            ClassSetItem::Empty(_) => None,
            ClassSetItem::Unicode(class) => return Err(unicode_class_refused(&class.span)),
            ClassSetItem::Perl(perl) => {
                self.spend(perl_table(perl))?;
                Some(ClassSetItem::Bracketed(Box::new(perl_class(perl))))
            }
            ClassSetItem::Bracketed(class) => {
                self.set(&mut class.kind)?;
                None
            }
            ClassSetItem::Union(union) => {
                for item in &mut union.items {
                    self.item(item)?;
                }
                None
            }
            ClassSetItem::Literal(_) | ClassSetItem::Range(_) | ClassSetItem::Ascii(_)
                if !self.case_insensitive =>
            {
                None
            }
            ClassSetItem::Literal(literal) => {
                let ranges = folded(vec![(literal.c, literal.c)]);
                self.spend(&ranges)?;
                Some(union_item(literal.span, &ranges))
            }
            ClassSetItem::Range(range) => {
                let ranges = folded(vec![(range.start.c, range.end.c)]);
                self.spend(&ranges)?;
                Some(union_item(range.span, &ranges))
            }
            ClassSetItem::Ascii(ascii) => {
                // Fold the class itself, then negate it, as the translator does.
                let positive = ClassSetItem::Ascii(ast::ClassAscii {
                    negated: false,
                    ..ascii.clone()
                });
                let ranges = folded(class_ranges(positive)?);
                self.spend(&ranges)?;
                Some(ClassSetItem::Bracketed(Box::new(bracketed(
                    ascii.span,
                    ascii.negated,
                    &ranges,
                ))))
            }
        };
        if let Some(replacement) = replacement {
            *item = replacement;
        }
        Ok(())
    }
}

fn unicode_class_refused(span: &Span) -> String {
    format!(
        "Unicode property classes (\\p, \\P) are not supported (at offset {})",
        span.start.offset
    )
}

/// The ranges of a class item without case folding, as the translator sees them.
fn class_ranges(item: ClassSetItem) -> Result<Vec<(char, char)>, String> {
    let span = *item.span();
    let ast = Ast::class_bracketed(ClassBracketed {
        span,
        negated: false,
        kind: ClassSet::Item(item),
    });
    let hir = translator()
        .translate("", &ast)
        .map_err(|e| e.to_string())?;
    match hir.kind() {
        hir::HirKind::Class(hir::Class::Unicode(class)) => Ok(class
            .ranges()
            .iter()
            .map(|range| (range.start(), range.end()))
            .collect()),
        _ => Err("class did not translate to a Unicode class".to_owned()),
    }
}

/// `ranges` with every character a member folds to added (Unicode simple case folding).
fn folded(mut ranges: Vec<(char, char)>) -> Vec<(char, char)> {
    let original = ranges.len();
    for index in 0..original {
        let (start, end) = ranges[index];
        let first = CASE_FOLD.partition_point(|&(c, _)| c < start);
        for &(c, other) in &CASE_FOLD[first..] {
            if c > end {
                break;
            }
            ranges.push((other, other));
        }
    }
    ranges
}

/// The ranges of a Perl class's positive form (`\w` for `\W`).
fn perl_table(perl: &ClassPerl) -> &'static [(char, char)] {
    match perl.kind {
        ClassPerlKind::Digit => PERL_DIGIT,
        ClassPerlKind::Space => PERL_SPACE,
        ClassPerlKind::Word => PERL_WORD,
    }
}

/// The class a Perl class (`\w`, `\D`, ...) stands for.
fn perl_class(perl: &ClassPerl) -> ClassBracketed {
    bracketed(perl.span, perl.negated, perl_table(perl))
}

fn bracketed(span: Span, negated: bool, ranges: &[(char, char)]) -> ClassBracketed {
    ClassBracketed {
        span,
        negated,
        kind: ClassSet::Item(union_item(span, ranges)),
    }
}

fn union_item(span: Span, ranges: &[(char, char)]) -> ClassSetItem {
    let literal = |c| Literal {
        span,
        kind: LiteralKind::HexBrace(HexLiteralKind::X),
        c,
    };
    ClassSetItem::Union(ClassSetUnion {
        span,
        items: ranges
            .iter()
            .map(|&(start, end)| {
                ClassSetItem::Range(ClassSetRange {
                    span,
                    start: literal(start),
                    end: literal(end),
                })
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewritten_patterns_need_no_unicode_tables() {
        for pattern in [
            r"\w\d\s\W\D\S",
            r"[\w\d][^\s][\W--\D]",
            r"(?i)ab[c-f][[:alpha:]][^\w]",
            r"(?i:x)(?-i)y(?i)z|(?s-i)w",
            r"((?i)a)(?:(?i)b)",
            r"(?i)",
            r"(?-i)",
            r"(?ims)a",
        ] {
            let mut ast = ast::parse::Parser::new().parse(pattern).unwrap();
            Rewriter::new().ast(&mut ast).unwrap();
            let left = needs_tables(&ast);
            assert!(left.is_empty(), "{pattern}: {left:?}");
            compile_anchored(pattern).unwrap();
        }
    }

    #[test]
    fn folding_adds_every_partner() {
        let mut ranges = folded(vec![('k', 'k')]);
        ranges.sort_unstable();
        assert_eq!(ranges, [('K', 'K'), ('k', 'k'), ('\u{212A}', '\u{212A}')]);
        assert_eq!(folded(vec![('0', '9')]), [('0', '9')]);
    }

    #[test]
    fn tables_are_sorted_ranges() {
        for table in [PERL_WORD, PERL_DIGIT, PERL_SPACE] {
            assert!(table.iter().all(|&(start, end)| start <= end));
            assert!(table.windows(2).all(|pair| pair[0].1 < pair[1].0));
        }
        assert!(CASE_FOLD.windows(2).all(|pair| pair[0] < pair[1]));
    }
}
