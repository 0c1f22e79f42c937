"""What the tools tell knowledge-base authors, in English and Chinese.

Askers get the bot's texts (``faq.messages``); authors running ``faqbot check``
or ``faqbot coverage`` get these: validation problems, lint findings and
report labels. A problem is kept as a key and its values, not as a sentence,
so the same finding can be printed in either language. Values that point into
the file (``what``) are YAML paths such as ``entries[close-account].answer.en``,
which read the same in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from faq.catalog import Catalog

NOTICES = Catalog({
    # --- reading the file -----------------------------------------------------------------
    "no_such_file": {"en": "no such file", "zh": "文件不存在"},
    "unreadable": {"en": "cannot read the file: {error}", "zh": "无法读取文件：{error}"},
    "yaml_syntax": {"en": "YAML syntax error: {detail}", "zh": "YAML 语法错误：{detail}"},
    "yaml_error": {"en": "YAML error: {detail}", "zh": "YAML 错误：{detail}"},
    # --- a long text cut in a terminal view (console, report, suggest) ----------------------------
    "clipped": {"en": " … [{count} more characters]", "zh": " …[另有 {count} 个字符]"},
    "yaml_key_not_text": {"en": "a key must be text, not a list or mapping (or an alias to one)",
                          "zh": "键必须是文本，不能是列表或映射（也不能是指向它们的别名）"},
    "yaml_aliases_expand": {
        "en": "aliases (*name) expand this file to {nodes} YAML nodes, but it holds {written}; at most {limit} more "
              "are allowed: write the repeated parts out, or share less",
        "zh": "别名（*name）把本文件展开成 {nodes} 个 YAML 节点，而文件本身只有 {written} 个；最多只能多出 {limit} 个："
              "请把重复的部分直接写出来，或减少共用",
    },
    # --- validating the knowledge base ----------------------------------------------------
    "not_mapping": {"en": "{what} must be a mapping", "zh": "{what} 必须是映射（键: 值）"},
    "duplicate_key": {"en": "duplicate key '{key}' in {what}", "zh": "{what} 中的键 '{key}' 重复"},
    "unknown_key": {
        "en": "unknown key '{key}' in {what} (expected one of: {allowed})",
        "zh": "{what} 中有未知的键 '{key}'（可用的键：{allowed}）",
    },
    "not_text": {"en": "{what} must be text", "zh": "{what} 必须是文本"},
    "empty": {"en": "{what} is empty", "zh": "{what} 为空"},
    "not_text_list": {"en": "{what} must be a list of texts", "zh": "{what} 必须是文本列表"},
    "no_language": {"en": "{what} needs at least one language (en or zh)", "zh": "{what} 至少需要一种语言（en 或 zh）"},
    "not_number": {"en": "{what} must be a number", "zh": "{what} 必须是数字"},
    "out_of_range": {"en": "{what} must be between 0 and 100", "zh": "{what} 必须在 0 到 100 之间"},
    "not_bool": {"en": "{what} must be true or false", "zh": "{what} 必须是 true 或 false"},
    "bad_placeholder": {
        "en": "{what} uses {found}, which is never filled in; it may use {allowed} (write {{{{ and }}}} for a brace)",
        "zh": "{what} 使用了不会被填入的 {found};可以使用 {allowed}(花括号本身写作 {{{{ 和 }}}})",
    },
    "not_fraction": {"en": "{what} must be between 0 and 1", "zh": "{what} 必须在 0 到 1 之间"},
    "tune_header": {
        "en": "max wrong  threshold  margin  answered right  did you mean  oos escalated  wrong (estimated)",
        "zh": "错误上限   阈值       领先分  回答正确         提供候选      范围外已转交   错误率（估计）",
    },
    "tune_source": {
        "en": "{source} on {n_in} in-scope ({n_real} of them sellers' own, learned) and {n_out} out-of-scope questions (pseudo-questions and cases); max_wrong_rate {rate}",
        "zh": "依据 {n_in} 个范围内（其中 {n_real} 个是学到的卖家原话）和 {n_out} 个范围外的问题（伪问题与用例）{source}；max_wrong_rate {rate}",
    },
    "tune_calibrated": {"en": "calibrated", "zh": "校准"},
    "tune_priors": {"en": "priors (too few questions to calibrate)", "zh": "使用先验值（问题太少，无法校准）"},
    "tune_chosen": {
        "en": "chosen (the row marked <): answer_score {answer}, margin {margin}, clarify_score {clarify}",
        "zh": "选定（标有 < 的一行）：answer_score {answer}，margin {margin}，clarify_score {clarify}",
    },
    "tune_written": {"en": "written to {path}", "zh": "已写入 {path}"},
    "tune_no_cases": {
        "en": "no coverage cases checked: give CASES.yaml, or keep them in {name} next to the knowledge base",
        "zh": "未检查覆盖用例：请指定 CASES.yaml，或将用例放在知识库旁的 {name} 中",
    },
    "tune_cases_checked": {
        "en": "coverage cases ({files}): {passed}/{cases} pass with the chosen values ({before}/{cases} with the current ones), {wrong} answered wrongly",
        "zh": "覆盖用例（{files}）：采用选定的值通过 {passed}/{cases}（采用当前的值通过 {before}/{cases}），{wrong} 个回答错误",
    },
    "tune_refused": {
        "en": "not written: the chosen values would answer {count} coverage case(s) wrongly that are not answered wrongly now; {path} is unchanged. Add phrasings (or an out_of_scope topic) so these questions find what they expect, lower max_wrong_rate, or correct the cases; then run faqbot tune again:",
        "zh": "未写入：选定的值会答错 {count} 个覆盖用例，而它们目前没有被答错；{path} 未改动。请添加问法（或 out_of_scope 主题）使这些问题找到期望的结果、调低 max_wrong_rate，或修正用例；然后重新运行 faqbot tune：",
    },
    "tune_would_refuse": {
        "en": "--write would refuse: the chosen values would answer {count} coverage case(s) wrongly that are not answered wrongly now:",
        "zh": "--write 将拒绝写入：选定的值会答错 {count} 个覆盖用例，而它们目前没有被答错：",
    },
    "tune_case_made_wrong": {
        "en": "{source}: {question}: expected {expect}, now {now}, with the chosen values {then} ({score})",
        "zh": "{source}：{question}：应为 {expect}，当前 {now}，采用选定的值为 {then}（{score}）",
    },
    "tune_no_entries": {"en": "no entries to calibrate on (drafts do not count)", "zh": "没有可用于校准的条目（草稿不算）"},
    "tune_off": {"en": "semantic matching is off (settings.semantic: false): nothing to calibrate", "zh": "语义匹配已关闭（settings.semantic: false）：无需校准"},
    "calibration_priors": {
        "en": "thresholds come from priors measured on benchmark knowledge bases, not from this one: only {n_in} in-scope and {n_out} out-of-scope pseudo-questions (add phrasings to entries, or set answer_score and margin)",
        "zh": "阈值取自在基准知识库上测得的先验值，而不是根据本知识库校准：只有 {n_in} 个范围内和 {n_out} 个范围外的伪问题（请为条目添加更多问法，或设置 answer_score 和 margin）",
    },
    "max_choices_min": {"en": "settings.max_choices must be at least 1", "zh": "settings.max_choices 至少为 1"},
    "clarify_above_answer": {
        "en": "settings.clarify_score must not exceed settings.answer_score",
        "zh": "settings.clarify_score 不能大于 settings.answer_score",
    },
    "synonyms_not_list": {"en": "synonyms must be a list of lists of words", "zh": "synonyms 必须是由词列表组成的列表"},
    "synonyms_group_short": {"en": "{what} needs at least two words", "zh": "{what} 至少需要两个词"},
    "entry_missing": {"en": "entry is missing '{key}'", "zh": "条目缺少 '{key}'"},
    "bad_id": {
        "en": "id '{id}' must be lower-case kebab-case (letters and digits joined by -, _ or .)",
        "zh": "id '{id}' 必须是小写的短横线格式（字母和数字，用 -、_ 或 . 连接）",
    },
    "duplicate_id": {"en": "duplicate id '{id}' (first defined on line {line})", "zh": "id '{id}' 重复（首次定义在第 {line} 行）"},
    "bad_kind": {"en": "{what} must be one of: {kinds}", "zh": "{what} 必须是以下之一：{kinds}"},
    "alternates_without_question": {
        "en": "{what} has {lang} alternates but no {lang} question",
        "zh": "{what} 有 {lang} 的其他问法，却没有 {lang} 的问题",
    },
    "empty_file": {"en": "the file is empty: expected 'version' and 'entries'", "zh": "文件为空：需要 'version' 和 'entries'"},
    "missing_key": {"en": "missing '{key}'", "zh": "缺少 '{key}'"},
    "entries_not_list": {"en": "entries must be a non-empty list", "zh": "entries 必须是非空列表"},
    # --- coverage case files ----------------------------------------------------------------
    "cases_not_list": {"en": "expected 'cases:' with a list of {{q, expect}}", "zh": "需要 'cases:'，其值为 {{q, expect}} 的列表"},
    "case_fields": {
        "en": "a case needs 'q' (text) and 'expect' (an entry id or escalate)",
        "zh": "每个用例需要 'q'（文本）和 'expect'（条目 id 或 escalate）",
    },
    "case_unknown_id": {"en": "unknown entry id '{id}'", "zh": "未知的条目 id '{id}'"},
    # --- lint findings (faqbot check) -----------------------------------------------------------
    "error": {"en": "error", "zh": "错误"},
    "warning": {"en": "warning", "zh": "警告"},
    "no_question_in": {
        "en": "entry '{id}' has no {lang} question (answers {lang} askers in another language)",
        "zh": "条目 '{id}' 没有 {lang} 问题（{lang} 提问者会得到另一种语言的回答）",
    },
    "no_answer_in": {"en": "entry '{id}' has no {lang} answer", "zh": "条目 '{id}' 没有 {lang} 答案"},
    "near_duplicates": {
        "en": "'{text}' ({id}) and '{other}' ({other_id}) are near-duplicates ({alike}% alike): askers cannot be told apart",
        "zh": "'{text}'（{id}）与 '{other}'（{other_id}）几乎相同（相似度 {alike}%）：无法区分提问者要问哪一个",
    },
    "left_out_finds": {
        "en": "'{text}' ({id}, {lang}) left out of the index finds '{found}' ({action}, score {score}): add phrasings with its key words",
        "zh": "'{text}'（{id}，{lang}）移出索引后找到的是 '{found}'（{action}，得分 {score}）：请补充含有关键词的问法",
    },
    "left_out_finds_nothing": {
        "en": "'{text}' ({id}, {lang}) left out of the index finds nothing ({action}, score {score}): add phrasings with its key words",
        "zh": "'{text}'（{id}，{lang}）移出索引后什么也找不到（{action}，得分 {score}）：请补充含有关键词的问法",
    },
    "draft_entry": {
        "en": "entry '{id}' is a draft: write its answer and remove 'draft: true' (until then it is never answered)",
        "zh": "条目 '{id}' 是草稿：请写好答案并删除 'draft: true'（在此之前不会用它回答）",
    },
    "check_thresholds": {
        "en": "thresholds: answer_score {answer}, margin {margin}, clarify_score {clarify}: {source}",
        "zh": "阈值：answer_score {answer}，margin {margin}，clarify_score {clarify}：{source}",
    },
    "thresholds_calibrated": {
        "en": "calibrated on this knowledge base ({n_in} in-scope and {n_out} out-of-scope pseudo-questions)",
        "zh": "根据本知识库校准（{n_in} 个范围内和 {n_out} 个范围外的伪问题）",
    },
    "thresholds_priors": {
        "en": "priors measured on the benchmark knowledge bases, single-phrasing ones included (only {n_in} in-scope and {n_out} out-of-scope pseudo-questions here)",
        "zh": "在基准知识库（包括每个条目只有一个问法的知识库）上测得的先验值（本知识库只有 {n_in} 个范围内和 {n_out} 个范围外的伪问题）",
    },
    "thresholds_file": {"en": "set in the file (settings)", "zh": "由文件设置（settings）"},
    "thresholds_lexical": {"en": "the lexical engine's (semantic matching is off)", "zh": "词法引擎的默认值（语义匹配已关闭）"},
    "check_out_of_scope": {
        "en": "out-of-scope topics (a match escalates at once): {ids}",
        "zh": "范围外主题（匹配时立即转交）：{ids}",
    },
    "init_exists": {
        "en": "not overwriting {paths}: choose another folder (faqbot init DIR)",
        "zh": "不会覆盖 {paths}:请换一个文件夹(faqbot init 目录)",
    },
    "init_failed": {"en": "cannot write into {path}: {error}", "zh": "无法写入 {path}:{error}"},
    "init_done": {
        "en": "Wrote {kb} and {cases}. Next:\n  faqbot check --kb {kb}\n  faqbot coverage --kb {kb} {cases}\n  faqbot console --kb {kb}\nThe format is explained in: faqbot docs knowledge-base",
        "zh": "已写入 {kb} 和 {cases}。接下来:\n  faqbot check --kb {kb}\n  faqbot coverage --kb {kb} {cases}\n  faqbot console --kb {kb}\n格式说明见:faqbot docs knowledge-base",
    },
    "check_group": {
        "en": "{count} {level}s of one kind: {what}. Each, at the phrasing's line:",
        "zh": "同一类{level}共 {count} 条:{what}。逐条列出(位于该问法所在行):",
    },
    "group_left_out": {
        "en": "phrasings that, left out of the index, no longer find their own entry (a seller wording them a little differently may not be answered; add phrasings with the entry's key words)",
        "zh": "问法移出索引后找不到自己的条目(措辞稍有不同的提问可能得不到回答;请补充含有该条目关键词的问法)",
    },
    "group_near_duplicates": {
        "en": "phrasings of different entries that read almost the same (the bot cannot tell them apart)",
        "zh": "不同条目的问法几乎相同(机器人无法区分)",
    },
    "group_no_question_in": {"en": "entries without a question in a language others have", "zh": "条目缺少其他条目有的某种语言的问题"},
    "group_no_answer_in": {"en": "entries without an answer in a language others have", "zh": "条目缺少其他条目有的某种语言的答案"},
    "group_draft_entry": {"en": "draft entries, not answered until finished", "zh": "草稿条目,完成前不会用于回答"},
    "group_other": {"en": "other findings", "zh": "其他问题"},
    "check_summary": {"en": "{entries}, {phrasings}: {errors}, {warnings}", "zh": "共 {entries}，{phrasings}：{errors}，{warnings}"},
    # counted words: "_one" for exactly one, "_other" for any other number (Chinese has one form)
    "entries_one": {"en": "{n} entry", "zh": "{n} 个条目"},
    "entries_other": {"en": "{n} entries", "zh": "{n} 个条目"},
    "phrasings_one": {"en": "{n} phrasing", "zh": "{n} 个问法"},
    "phrasings_other": {"en": "{n} phrasings", "zh": "{n} 个问法"},
    "errors_one": {"en": "{n} error", "zh": "{n} 个错误"},
    "errors_other": {"en": "{n} errors", "zh": "{n} 个错误"},
    "warnings_one": {"en": "{n} warning", "zh": "{n} 个警告"},
    "warnings_other": {"en": "{n} warnings", "zh": "{n} 个警告"},
    # --- coverage report (faqbot coverage) ------------------------------------------------------
    "coverage_fail": {"en": "FAIL {source}: {question}: expected {expect}, got {got} ({score})", "zh": "未通过 {source}：{question}：应为 {expect}，实际 {got}（{score}）"},
    "ask_prompt_intro": {
        "en": "Type a question and press Enter (Ctrl-D to finish). Nothing is recorded or sent.",
        "zh": "输入问题后按回车(按 Ctrl-D 结束)。不会记录或发送任何内容。",
    },
    "ask_would_escalate": {
        "en": "Would escalate to {contact} (faqbot ask records nothing). The asker would be told:",
        "zh": "将转交给{contact}(faqbot ask 不做任何记录)。提问人会看到:",
    },
    "coverage_entry": {"en": "entry", "zh": "条目"},
    "coverage_column": {"en": "{lang} passed/cases", "zh": "{lang} 通过/用例"},
    "coverage_uncovered_flag": {"en": "UNCOVERED", "zh": "未覆盖"},
    "coverage_accuracy": {
        "en": "accuracy: {accuracy}% ({passed}/{cases} cases; minimum {minimum}%)",
        "zh": "准确率：{accuracy}%（{passed}/{cases} 个用例；最低要求 {minimum}%）",
    },
    "coverage_escalated": {"en": "out-of-scope escalated: {rate}", "zh": "超出范围并已转交：{rate}"},
    "coverage_wrong": {"en": "wrong answers: {count}", "zh": "错误回答：{count}"},
    "coverage_uncovered": {"en": "uncovered entry/language pairs: {count}", "zh": "未覆盖的条目/语言组合：{count}"},
    # --- question-log report (faqbot report) -----------------------------------------------------
    "report_questions": {"en": "questions: {questions} ({unsure} escalated or unsure)", "zh": "问题：{questions} 个（其中 {unsure} 个已转交或不确定）"},
    "report_write_next": {
        "en": "write next (alike unanswered questions, largest group first):",
        "zh": "接下来要写的（相似的未解答问题，最大的一组在前）：",
    },
    "report_group": {"en": "{count} x, closest entry: {closest}", "zh": "{count} 次，最接近的条目：{closest}"},
    "report_none": {"en": "(none)", "zh": "（无）"},
    "report_answers": {"en": "answers per entry:", "zh": "各条目的回答次数："},
    "report_escalations": {
        "en": "escalations: {opened} opened, {resolved} resolved, median time to resolve {median}",
        "zh": "转交：新建 {opened} 个，已解决 {resolved} 个，解决时间中位数 {median}",
    },
    "report_helpful": {"en": "helpful rate per entry:", "zh": "各条目的有用率："},
    "report_votes": {"en": "{rate}% of {votes} votes", "zh": "{rate}%（共 {votes} 票）"},
    "report_no_feedback": {"en": "(no feedback yet)", "zh": "（还没有反馈）"},
})

#: The languages every notice is written in.
NOTICE_LANGS = ("en", "zh")


def notice(key: str, lang: str, /, **values: object) -> str:
    """Notice ``key`` in ``lang`` (English when ``lang`` is neither), with ``values`` filled in."""
    return NOTICES.text(key, lang, **values)


def counted(name: str, n: int, lang: str) -> str:
    """``n`` with the word ``name`` in the form that number takes ("1 warning", "2 warnings")."""
    return notice(f"{name}_one" if n == 1 else f"{name}_other", lang, n=n)


@dataclass(frozen=True)
class Problem:
    """One problem at a place in a file: ``file:line: message``, printable in either language.

    ``line`` is None when ``source`` already names the line (``file:line``).
    """

    source: str
    line: int | None
    key: str
    values: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str = "en") -> str:
        place = self.source if self.line is None else f"{self.source}:{self.line}"
        return f"{place}: {notice(self.key, lang, **self.values)}"
