"""Everything the console says, in English and Chinese: its UI, the case commands' replies, the "why" view.

Reply texts come from the engine; these are the console's own words, in one
catalog with the same lookup and placeholder check as every other layer.
"""

from __future__ import annotations

from faq.catalog import Catalog

CONSOLE_TEXTS = Catalog({
    "banner": {
        "en": "faqbot console: {count} entries loaded. Type a question, or :help for commands.",
        "zh": "faqbot 控制台:已载入 {count} 个条目。直接输入问题,或输入 :help 查看命令。",
    },
    "goodbye": {"en": "Bye.", "zh": "再见。"},
    "decision": {"en": "decision", "zh": "决定"},
    "action_answer": {"en": "answer", "zh": "回答"},
    "action_clarify": {"en": "did you mean", "zh": "提供候选"},
    "action_escalate": {"en": "escalate to support", "zh": "转交人工支持"},
    "entry": {"en": "entry", "zh": "条目"},
    "score": {"en": "score", "zh": "分数"},
    "runners_up": {"en": "runners-up", "zh": "其他候选"},
    "why": {"en": "why", "zh": "原因"},
    "kind": {"en": "kind", "zh": "类型"},
    "tags": {"en": "tags", "zh": "标签"},
    "question": {"en": "question", "zh": "问题"},
    "answer": {"en": "answer", "zh": "回答"},
    "alternates": {"en": "alternates", "zh": "其他问法"},
    "none": {"en": "(none)", "zh": "(无)"},
    "help_intro": {
        "en": "Type a question to see the bot's reply and why it chose it. Commands:",
        "zh": "输入问题即可查看机器人的回复及其原因。命令:",
    },
    "unknown_command": {
        "en": "Unknown command :{name}. Type :help for the list of commands.",
        "zh": "未知命令 :{name}。输入 :help 查看命令列表。",
    },
    "show_usage": {
        "en": "Usage: :show ID (type :list to see the ids).",
        "zh": "用法::show 条目ID(输入 :list 查看所有 ID)。",
    },
    "no_entry": {
        "en": "No entry with id '{id}'. Type :list to see the ids.",
        "zh": "没有 ID 为 '{id}' 的条目。输入 :list 查看所有 ID。",
    },
    "no_tag": {
        "en": "No entry is tagged '{tag}'. Tags: {tags}.",
        "zh": "没有带标签 '{tag}' 的条目。现有标签:{tags}。",
    },
    "lang_usage": {
        "en": "Usage: :lang en|zh|auto (now: {current}).",
        "zh": "用法::lang en|zh|auto(当前:{current})。",
    },
    "lang_set": {"en": "Replies in {name} from now on.", "zh": "今后用{name}回复。"},
    "lang_auto": {
        "en": "Replies follow each question's language from now on.",
        "zh": "今后按每个问题的语言回复。",
    },
    "lang_name_en": {"en": "English", "zh": "英文"},
    "lang_name_zh": {"en": "Chinese", "zh": "中文"},
    "lang_name_auto": {"en": "auto", "zh": "自动"},
    "reloaded": {
        "en": "Reloaded: {count} entries (version {version}).",
        "zh": "已重新载入:{count} 个条目(版本 {version})。",
    },
    "reload_failed": {
        "en": "Reload failed; still using the previous knowledge base ({count} entries). Problems:",
        "zh": "重新载入失败,继续使用之前的知识库({count} 个条目)。问题如下:",
    },
    "internal_error": {
        "en": "Sorry, that line could not be handled ({error}). The console is still running.",
        "zh": "抱歉,这一行无法处理({error})。控制台仍在运行。",
    },
    # --- did-you-mean choices ---------------------------------------------------------------------
    "pick_hint": {
        "en": "  Type a number (or :pick N) to answer with that choice, 0 for none of these.",
        "zh": "  输入编号(或 :pick N)用该选项回答,输入 0 表示都不是。",
    },
    "pick_nothing": {
        "en": "There is no did-you-mean to pick from: ask a question first.",
        "zh": "当前没有可选择的候选:请先提一个问题。",
    },
    "pick_range": {
        "en": "Pick 1 to {count}, or 0 for none of these.",
        "zh": "请选择 1 到 {count},或输入 0 表示都不是。",
    },
    "picked": {"en": "chosen: {entry}", "zh": "已选择:{entry}"},
    "picked_none": {
        "en": "None of these: the question goes to {contact}.",
        "zh": "都不是:问题将转交给{contact}。",
    },
    "picked_none_no_store": {
        "en": "None of these: with a database this question would go to {contact} as a case.",
        "zh": "都不是:如连接了数据库,这个问题会作为案例转交给{contact}。",
    },
    "links": {"en": "links", "zh": "链接"},
    "db_unreachable": {
        "en": "Warning: the database {db} cannot be reached ({error}); questions are answered but cases cannot be saved.",
        "zh": "警告:无法连接数据库 {db}({error});问题仍会回答,但无法保存案例。",
    },
    # --- the case commands ---------------------------------------------------------------------
    "queue_empty": {"en": "No open or taken cases.", "zh": "没有待处理或处理中的案例。"},
    "case_usage": {"en": "Usage: :{name} N (a case number; :queue lists them).", "zh": "用法::{name} N(案例编号;:queue 可列出)。"},
    "no_case": {"en": "No case #{case}.", "zh": "没有案例 #{case}。"},
    "taken": {"en": "You have case #{case}.", "zh": "您已接手案例 #{case}。"},
    "taken_by_other": {"en": "Case #{case} is already taken by {agent}.", "zh": "案例 #{case} 已被 {agent} 接手。"},
    "resolved": {"en": "Case #{case} resolved.", "zh": "案例 #{case} 已解决。"},
    "resolved_entry": {
        "en": "Case #{case} resolved; its question is now an example of entry {entry} for `faqbot suggest`.",
        "zh": "案例 #{case} 已解决;其问题已作为条目 {entry} 的示例,供 `faqbot suggest` 使用。",
    },
    "resolved_new_topic": {
        "en": "Case #{case} resolved as a new topic (the FAQ does not cover it yet).",
        "zh": "案例 #{case} 已解决,标记为新主题(常见问题尚未涵盖)。",
    },
    "resolved_out_of_scope": {
        "en": "Case #{case} resolved as out of scope (the FAQ should not answer it).",
        "zh": "案例 #{case} 已解决,标记为超出范围(常见问题不应回答)。",
    },
    "resolve_usage": {
        "en": "Usage: :resolve N [--entry ID | --new | --oos] [note] (one of --entry ID, --new, --oos at most).",
        "zh": "用法::resolve N [--entry ID | --new | --oos] [备注](--entry ID、--new、--oos 最多选一个)。",
    },
    "resolve_unknown_entry": {
        "en": "There is no entry '{id}' in the knowledge base; case #{case} is unchanged. Closest ids: {close} (:list shows all).",
        "zh": "知识库中没有条目 '{id}';案例 #{case} 未改变。最接近的 ID:{close}(:list 可列出全部)。",
    },
    "label_entry": {"en": "entry {entry}", "zh": "条目 {entry}"},
    "label_new_topic": {"en": "new topic", "zh": "新主题"},
    "label_out_of_scope": {"en": "out of scope", "zh": "超出范围"},
    "reopened": {"en": "Case #{case} is open again.", "zh": "案例 #{case} 已重新打开。"},
    "already": {"en": "Case #{case} is already {status}.", "zh": "案例 #{case} 已经是{status}状态。"},
    "store_error": {"en": "Database problem: {error}", "zh": "数据库问题:{error}"},
    "status_open": {"en": "open", "zh": "待处理"},
    "status_taken": {"en": "taken", "zh": "处理中"},
    "status_resolved": {"en": "resolved", "zh": "已解决"},
    "forwarded": {"en": "forwarded to {contact}", "zh": "已转交{contact}"},
    "not_forwarded": {"en": "not forwarded yet ({attempts} attempts{error})", "zh": "尚未转交(已尝试 {attempts} 次{error})"},
    "undeliverable": {"en": "NOT DELIVERED: Slack refused this case for good ({error}); answer the seller from here",
                      "zh": "未送达:Slack 永久拒绝了此案例({error});请在这里答复卖家"},
    "undeliverable_mark": {"en": " [NOT DELIVERED]", "zh": " [未送达]"},
    "undeliverable_banner": {
        "en": "Warning: {count} case(s) could not be delivered to Slack (refused for good); :queue marks them, :case N says why.",
        "zh": "警告:{count} 个案例无法发送到 Slack(被永久拒绝);:queue 会标出它们,:case N 显示原因。",
    },
    "case_lines": {
        "en": "case #{case} [{status}] {created} {lang} from {asker} via {source}\n  question: {question}\n  candidates: {candidates}\n  agent: {agent}  note: {note}  label: {label}\n  {forwarding}",
        "zh": "案例 #{case} [{status}] {created} {lang} 提问人 {asker} 来源 {source}\n  问题:{question}\n  候选:{candidates}\n  处理人:{agent}  备注:{note}  标注:{label}\n  {forwarding}",
    },
    # --- where cases go (said at start) ----------------------------------------------------------
    "cases_forwarded": {
        "en": "Cases are saved in {db} and posted to the {contact} channel in Slack from this console.",
        "zh": "案例保存在 {db},并由本控制台发送到 Slack 的{contact}频道。",
    },
    "cases_queued": {
        "en": "Cases are saved in {db}; they reach Slack when a `faqbot slack` process runs on this database (Slack settings are not set here).",
        "zh": "案例保存在 {db};当有 `faqbot slack` 进程使用这个数据库运行时,案例才会发送到 Slack(此处未设置 Slack)。",
    },
    # --- the "why" view ------------------------------------------------------------------------------
    "why_decision": {
        "en": "decision: {action} (answer at {answer}+ and {margin} ahead, or at {sure}+; did-you-mean at {clarify}+)",
        "zh": "决定:{action}(分数 ≥ {answer} 且领先 {margin} 分,或 ≥ {sure} 时回答;≥ {clarify} 时提供候选)",
    },
    "why_no_phrasing": {
        "en": "best phrasing: none (no phrasing shares a word with the question)",
        "zh": "最佳问法:无(没有问法与问题有相同的词)",
    },
    "why_phrasing": {
        "en": "best phrasing: '{phrasing}' (words {lexical}, wording {fuzzy})",
        "zh": "最接近的问法:'{phrasing}'(词语 {lexical},措辞 {fuzzy})",
    },
    "why_shared": {"en": "shared words: {shared}", "zh": "相同的词:{shared}"},
    "why_meaning": {"en": "meaning: {cosine} similar to the entry's phrasings",
                    "zh": "语义:与该条目问法的相似度 {cosine}"},
    "why_none": {"en": "none", "zh": "无"},
})

# Help lines, in the order :help shows them (the case commands go before :help and :quit).
COMMAND_HELP = Catalog({
    ":show ID": {"en": "an entry in both languages", "zh": "查看条目(中英文)"},
    ":list [TAG]": {"en": "entry ids and questions, optionally only those with TAG", "zh": "列出条目 ID 和问题,可按标签筛选"},
    ":lang en|zh|auto": {"en": "reply in English, in Chinese, or in the question's language", "zh": "用英文、中文或提问的语言回复"},
    ":pick N": {"en": "after a did-you-mean: answer with choice N (0: none of these, escalate)",
                "zh": "出现候选后:用第 N 个选项回答(0:都不是,转交人工)"},
    ":reload": {"en": "re-read the knowledge base file (the old one stays on error)", "zh": "重新读取知识库文件(出错时保留原知识库)"},
    ":help": {"en": "this list", "zh": "显示本列表"},
    ":quit, :q, :exit": {"en": "leave (also Ctrl-D, or Ctrl-C on an empty line; Ctrl-C on a typed line clears it)",
                         "zh": "退出(也可按 Ctrl-D,或在空行按 Ctrl-C;已输入内容时 Ctrl-C 清除该行)"},
})

CASE_HELP = Catalog({
    ":queue": {"en": "open and taken cases, oldest first", "zh": "待处理和处理中的案例,最早的在前"},
    ":case N": {"en": "one case in full", "zh": "查看一个案例的详情"},
    ":take N": {"en": "take a case (one agent per case)", "zh": "接手案例(每个案例只能一人接手)"},
    ":resolve N [--entry ID | --new | --oos] [note]": {
        "en": "resolve a case: the entry that answers it, a new topic, or out of scope (teaches `faqbot suggest`); optional note",
        "zh": "解决案例:注明回答它的条目、新主题或超出范围(供 `faqbot suggest` 学习);可附备注",
    },
    ":reopen N": {"en": "open a case again", "zh": "重新打开案例"},
})
