"""The ``faqbot`` command's help in English and Chinese: every help and description text, and argparse's own words.

Help is the first thing an author or an operator reads, so it follows their
language like every other text the tools print. ``CLI_HELP`` holds the texts of
the options and commands; ``ARGPARSE_TEXTS`` holds the words argparse would
otherwise print in English (``usage:``, section titles, usage errors), keyed by
what they mean; ``USAGE_ERRORS`` holds the usage errors, whose English texts are
argparse's templates. Help texts must not contain ``%``: argparse formats them.
"""

from __future__ import annotations

from typing import Callable

from faq.catalog import Catalog

_KB = {
    "en": "knowledge base YAML (default: $FAQBOT_KB, else ./knowledge.yaml)",
    "zh": "知识库 YAML 文件（默认：$FAQBOT_KB，否则为 ./knowledge.yaml）",
}
_FROM_LOCALE = {"en": "(default: from the locale)", "zh": "（默认：按系统语言环境）"}

CLI_HELP = Catalog({
    "description": {"en": "A bilingual (Chinese/English) FAQ assistant.", "zh": "中英双语常见问题助手。"},
    "version": {"en": "print faqbot's version and exit", "zh": "显示 faqbot 的版本并退出"},
    # --- shared by several commands ----------------------------------------------------------------
    "kb": _KB,
    "lang_report": {
        "en": "language of the report and of problems found (default: from the locale, e.g. LANG=zh_CN.UTF-8)",
        "zh": "报告及所发现问题的语言（默认：按系统语言环境，如 LANG=zh_CN.UTF-8）",
    },
    "lang_reply": {"en": "reply in this language instead of the question's", "zh": "用此语言回复，而不是按提问的语言"},
    "no_semantic": {
        "en": "lexical matching only, without the sentence encoder (as settings.semantic: false)",
        "zh": "只用词语匹配，不用句子编码器（同 settings.semantic: false）",
    },
    "db": {
        "en": "database URL for escalations (default: $FAQBOT_DB_URL, else a SQLite file in your data directory)",
        "zh": "保存升级案例的数据库 URL（默认：$FAQBOT_DB_URL，否则为数据目录中的 SQLite 文件）",
    },
    "ui_lang": {
        "en": f"language of faqbot's own words: help, messages, reports {_FROM_LOCALE['en']}",
        "zh": f"faqbot 自身文字（帮助、提示、报告）的语言{_FROM_LOCALE['zh']}",
    },
    "json_report": {"en": "print the report as one JSON object", "zh": "将报告输出为一个 JSON 对象"},
    # --- ask, check, coverage, init, tune ----------------------------------------------------------
    "ask": {
        "en": "answer questions from the arguments, or from stdin one per line",
        "zh": "回答参数中的问题，或从标准输入逐行读取问题并回答",
    },
    "ask_json": {
        "en": "one JSON object per question: question, lang, action, entry_id, kind, score, candidates, answer, text, links",
        "zh": "每个问题输出一个 JSON 对象：question、lang、action、entry_id、kind、score、candidates、answer、text、links",
    },
    "check": {"en": "validate and lint a knowledge base", "zh": "校验知识库并做规范检查"},
    "check_quick": {
        "en": "skip the leave-one-out test (one index build per phrasing)",
        "zh": "跳过留一法测试（每个问法都要重建一次索引）",
    },
    "coverage": {"en": "run coverage cases against the knowledge base", "zh": "用覆盖用例测试知识库"},
    "coverage_min": {
        "en": "exit 1 below this share of passing cases (default 0.95)",
        "zh": "用例通过比例低于此值时以状态码 1 退出（默认 0.95）",
    },
    "init": {
        "en": "write a small bilingual starter knowledge base and coverage cases",
        "zh": "生成一个小型的中英双语入门知识库和覆盖用例",
    },
    "init_dir": {"en": "where to write them (default: here)", "zh": "写入的目录（默认：当前目录）"},
    "tune": {
        "en": "calibrate the answer threshold and margin; print the risk-coverage table",
        "zh": "校准回答阈值和领先分；输出风险-覆盖率表",
    },
    "tune_cases": {
        "en": "coverage cases to calibrate on and check (default: coverage.yaml next to the knowledge base)",
        "zh": "用于校准和检查的覆盖用例（默认：知识库旁的 coverage.yaml）",
    },
    "tune_write": {
        "en": "store the chosen values in the knowledge base's settings, unless they answer a coverage case wrongly",
        "zh": "将选定的值写入知识库的 settings（若会答错覆盖用例则不写入）",
    },
    "docs": {
        "en": "print a guide (the knowledge-base format, deployment...); without NAME, list them",
        "zh": "输出一篇使用指南（知识库格式、部署……）；不给名称时列出全部",
    },
    "docs_name": {"en": "the guide to print, e.g. knowledge-base", "zh": "要输出的指南，如 knowledge-base"},
    # --- console, report, escalations, prune ---------------------------------------------------------
    "console": {"en": "the support agents' interactive console", "zh": "客服人员的交互式控制台"},
    "console_ui_lang": {"en": f"the console's own language {_FROM_LOCALE['en']}", "zh": f"控制台界面的语言{_FROM_LOCALE['zh']}"},
    "console_agent": {"en": "your name on cases you take (default: $USER)", "zh": "您接手的案例上显示的名字（默认：$USER）"},
    "report": {
        "en": "what to write next: unanswered questions, answers, escalations, feedback",
        "zh": "接下来该写什么：未回答的问题、回答、升级案例、反馈",
    },
    "report_since": {
        "en": "from when: 30m, 24h, 7d, 2w ago or an ISO date (default 7d); 'all' for everything",
        "zh": "从何时起：30m、24h、7d、2w 之前或 ISO 日期（默认 7d）；'all' 表示全部",
    },
    "report_top": {
        "en": "how many groups of unanswered questions to list (default 20)",
        "zh": "列出多少组未回答的问题（默认 20）",
    },
    "report_html": {
        "en": "write one self-contained HTML page with charts to FILE",
        "zh": "将一个带图表、可单独打开的 HTML 页面写入 FILE",
    },
    "report_cases": {
        "en": "with --html: coverage case files for its coverage table",
        "zh": "配合 --html 使用：用于生成覆盖率表的覆盖用例文件",
    },
    "report_kb": {"en": _KB["en"] + "; its settings say whether questions are grouped by meaning, and --cases runs on it",
                  "zh": _KB["zh"] + "；按其设置决定是否按语义分组问题，--cases 也在其上运行"},
    "escalations": {"en": "work with the escalation store", "zh": "管理升级案例库"},
    "export": {"en": "every case as CSV or JSON lines", "zh": "以 CSV 或 JSON Lines 导出所有案例"},
    "export_format": {
        "en": "cases: resolved, labelled cases in the coverage-case format (faqbot coverage)",
        "zh": "cases：已解决并已标注的案例，采用覆盖用例格式（faqbot coverage）",
    },
    "export_status": {"en": "only cases in this status", "zh": "只导出此状态的案例"},
    "prune": {
        "en": "delete old questions and resolved cases (retention); open and taken cases are kept",
        "zh": "按保留期限删除旧的问题和已解决的案例；待处理和处理中的案例不会删除",
    },
    "prune_older": {
        "en": "how old is too old: 30m, 24h, 90d, 12w, or an ISO date",
        "zh": "超过多久算旧：30m、24h、90d、12w，或 ISO 日期",
    },
    "prune_dry_run": {"en": "only count what would be deleted", "zh": "只统计将被删除的数量，不删除"},
    "prune_lang": {"en": f"language of the summary {_FROM_LOCALE['en']}", "zh": f"摘要的语言{_FROM_LOCALE['zh']}"},
    # --- suggest -----------------------------------------------------------------------------------------
    "suggest": {
        "en": "propose knowledge-base changes learnt from logged questions, as a diff",
        "zh": "根据记录的问题提出知识库修改建议，以 diff 形式输出",
    },
    "suggest_since": {
        "en": "only what was logged since: 30m, 24h, 7d, 2w ago or an ISO date (default: all)",
        "zh": "只看此后记录的内容：30m、24h、7d、2w 之前或 ISO 日期（默认：全部）",
    },
    "suggest_cases": {"en": "coverage case files the proposals must keep passing", "zh": "修改建议必须继续通过的覆盖用例文件"},
    "suggest_write": {
        "en": "write the edited knowledge base to OUT instead of printing the diff",
        "zh": "将修改后的知识库写入 OUT，而不是输出 diff",
    },
    # --- slack ---------------------------------------------------------------------------------------------
    "slack": {
        "en": "run the Slack bot (Socket Mode, or --http) or print its app manifest",
        "zh": "运行 Slack 机器人（Socket Mode 或 --http），或输出其应用清单",
    },
    "slack_description": {
        "en": "Run the Slack bot: Socket Mode when SLACK_APP_TOKEN is set, or the HTTP Events API with --http.",
        "zh": "运行 Slack 机器人：设置了 SLACK_APP_TOKEN 时使用 Socket Mode，加 --http 时使用 HTTP Events API。",
    },
    "slack_http": {
        "en": "serve Slack's HTTP Events API at /slack/events (needs SLACK_SIGNING_SECRET)",
        "zh": "在 /slack/events 提供 Slack 的 HTTP Events API（需要 SLACK_SIGNING_SECRET）",
    },
    "slack_port": {"en": "HTTP port (default 3000)", "zh": "HTTP 端口（默认 3000）"},
    "slack_host": {
        "en": "HTTP address to listen on (default: $FAQBOT_HTTP_HOST, else 127.0.0.1, this machine only; 0.0.0.0 in a container)",
        "zh": "HTTP 监听地址（默认：$FAQBOT_HTTP_HOST，否则为 127.0.0.1，仅限本机；在容器中用 0.0.0.0）",
    },
    "slack_workers": {
        "en": "threads answering questions behind the acknowledgements (default 16)",
        "zh": "确认收到消息后负责回答问题的线程数（默认 16）",
    },
    "manifest": {
        "en": "print the Slack app manifest (YAML) to create the app from",
        "zh": "输出用于创建应用的 Slack 应用清单（YAML）",
    },
    "manifest_url": {
        "en": "public base URL for HTTP mode, e.g. https://faq.example.com (default: a Socket Mode manifest)",
        "zh": "HTTP 模式的公开基础 URL，如 https://faq.example.com（默认：生成 Socket Mode 清单）",
    },
    "manifest_name": {"en": "the app's and bot user's name (default faqbot)", "zh": "应用和机器人用户的名称（默认 faqbot）"},
    "try": {
        "en": "try the Slack app offline: type as a seller, see the Block Kit it would post",
        "zh": "离线试用 Slack 应用：以卖家身份输入，查看它会发送的 Block Kit",
    },
    "try_description": {
        "en": "Run the real Slack app against a local stand-in of Slack's Web API on 127.0.0.1 (no Slack"
              " workspace, no tokens) and type messages as a seller; :help lists the commands.",
        "zh": "在 127.0.0.1 上用本地模拟的 Slack Web API 运行真实的 Slack 应用（无需 Slack 工作区，无需令牌），"
              "以卖家身份输入消息；输入 :help 可列出命令。",
    },
    "try_lang": {"en": f"language of this tool's own texts {_FROM_LOCALE['en']}", "zh": f"本工具自身文字的语言{_FROM_LOCALE['zh']}"},
    "try_json": {"en": "also print each Web API call's JSON (Block Kit)", "zh": "同时输出每次 Web API 调用的 JSON（Block Kit）"},
    "try_db": {
        "en": "keep the cases in this database (default: a temporary SQLite file)",
        "zh": "将案例保存在此数据库中（默认：临时 SQLite 文件）",
    },
})

ARGPARSE_TEXTS = Catalog({
    "usage": {"en": "usage: ", "zh": "用法："},
    "positional arguments": {"en": "positional arguments", "zh": "位置参数"},
    "options": {"en": "options", "zh": "选项"},
    "help": {"en": "show this help message and exit", "zh": "显示此帮助信息并退出"},
    "see_help": {"en": "{message} (see: {prog} --help)", "zh": "{message}（参见：{prog} --help）"},
    "argument": {"en": "argument {argument}: {detail}", "zh": "参数 {argument}：{detail}"},
})

# Usage errors as argparse (and our own option types) word them in English: each English text is also the
# pattern that recognises the message, its placeholders standing for the parts that vary.
USAGE_ERRORS = Catalog({
    "unrecognized": {"en": "unrecognized arguments: {args}", "zh": "无法识别的参数：{args}"},
    "required": {"en": "the following arguments are required: {args}", "zh": "缺少必需的参数：{args}"},
    "one_required": {"en": "one of the arguments {args} is required", "zh": "必须提供以下参数之一：{args}"},
    "ambiguous": {"en": "ambiguous option: {option} could match {matches}", "zh": "选项 {option} 有歧义，可能是：{matches}"},
    "invalid_choice": {
        "en": "invalid choice: {value} (choose from {choices})",
        "zh": "无效的选择 {value}（可选：{choices}）",
    },
    "expected_one": {"en": "expected one argument", "zh": "需要一个值"},
    "expected_at_most_one": {"en": "expected at most one argument", "zh": "最多只能有一个值"},
    "expected_at_least_one": {"en": "expected at least one argument", "zh": "至少需要一个值"},
    "expected_n": {"en": "expected {count} arguments", "zh": "需要 {count} 个值"},
    "invalid_value": {"en": "invalid {type} value: {value}", "zh": "无效的 {type} 值：{value}"},
    "not_allowed_with": {"en": "not allowed with argument {other}", "zh": "不能与参数 {other} 同时使用"},
    "not_a_number": {"en": "not a number: {value}", "zh": "不是数字：{value}"},
    "not_a_share": {
        "en": "must be between 0 and 1 (e.g. 0.95 for 95%), not {value}",
        "zh": "必须在 0 到 1 之间（如 0.95 表示 95%），而不是 {value}",
    },
    "not_a_port": {"en": "not a port number: {value}", "zh": "不是端口号：{value}"},
    "port_range": {"en": "port must be between 0 and 65535, not {value}", "zh": "端口必须在 0 到 65535 之间，而不是 {value}"},
    "at_least_one": {"en": "must be at least 1, not {value}", "zh": "必须至少为 1，而不是 {value}"},
    "not_a_url": {
        "en": "expected an https:// URL such as https://faq.example.com, got {value}",
        "zh": "需要 https:// 开头的 URL，如 https://faq.example.com，而不是 {value}",
    },    # the commands' own checks, after parsing
    "since": {
        "en": "--since: expected 30m, 24h, 7d, 2w, an ISO date or 'all', got {value}",
        "zh": "--since：需要 30m、24h、7d、2w、ISO 日期或 'all'，而不是 {value}",
    },
    "age": {
        "en": "--older-than: expected an age such as 30m, 24h, 90d, 12w or an ISO date, got {value}",
        "zh": "--older-than：需要时长（如 30m、24h、90d、12w）或 ISO 日期，而不是 {value}",
    },
})


def help_texts(lang: str) -> Callable[[str], str]:
    """A lookup of ``CLI_HELP`` texts in ``lang``, for the functions that build the parsers."""
    return lambda key: CLI_HELP.text(key, lang)
