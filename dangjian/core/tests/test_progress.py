from dangjian.core import progress


def test_report_reaches_the_listener_only_inside_the_block():
    seen: list[tuple[str, int, int]] = []
    progress.report("校验", 1, 10)  # nobody listening: no error, nothing recorded
    with progress.listening(lambda s, d, t: seen.append((s, d, t))):
        progress.report("校验", 2, 10)
        for i in range(1, 11):
            progress.every(5, "写入", i, 10)
    progress.report("写入", 99, 10)
    assert seen == [("校验", 2, 10), ("写入", 5, 10), ("写入", 10, 10)]
