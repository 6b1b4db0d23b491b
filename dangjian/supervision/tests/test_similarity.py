"""疑似雷同记录: normalisation, shingles, LSH candidates and exact Jaccard (no database)."""

import random

import pytest

from dangjian.supervision.similarity import MIN_CHARS, diff_html, find_pairs, jaccard, normalise, shingles

BASE = (
    "会议由支部书记张明主持，应到党员12名，实到11名，1名因病请假。会议传达学习了上级关于加强基层党组织建设的文件精神，"
    "围绕“强化政治功能、提升组织力”主题开展讨论。大家一致认为，要把学习成果转化为推动商贸流通工作的实际成效，"
    "切实发挥党员先锋模范作用。会议还研究了下季度发展党员工作计划，确定两名入党积极分子的培养联系人。"
)


def test_normalise_drops_spacing_and_punctuation():
    assert normalise("会议 由，书记\n主持。") == "会议由书记主持"
    assert normalise("ＡＢＣ１２３") == "abc123"  # full-width folded by NFKC


def test_shingles_are_character_trigrams():
    assert shingles("党支部会议") == frozenset({"党支部", "支部会", "部会议"})
    assert jaccard(shingles("abcd"), shingles("abcd")) == 1.0


def test_copied_minutes_found_and_reported_with_exact_jaccard():
    copied = BASE.replace("张明", "李华").replace("12名", "9名").replace("11名", "9名")
    other = (
        "本次主题党日组织党员赴红旗渠纪念馆开展现场教学，重温入党誓词，参观了展馆并听取讲解员讲述修渠历史。"
        "党员们纷纷表示，要传承红旗渠精神，在本职岗位上攻坚克难。活动结束后各党小组进行了交流分享，形成心得体会八篇。"
    )
    pairs = find_pairs([(1, BASE), (2, copied), (3, other), (4, "同意。")], threshold=0.7)
    assert [(p.a, p.b) for p in pairs] == [(1, 2)]
    expected = jaccard(shingles(normalise(BASE)), shingles(normalise(copied)))
    assert pairs[0].similarity == round(expected, 4)
    assert 0.7 <= pairs[0].similarity < 1


def test_reformatting_alone_is_identical():
    respaced = BASE.replace("，", ", ").replace("。", ".\n  ")
    assert find_pairs([(5, BASE), (9, respaced)], threshold=0.99)[0].similarity == 1.0


def test_short_texts_are_skipped_not_flagged():
    short = "会议传达学习了上级文件精神，研究了下一阶段工作。"
    assert len(normalise(short)) < MIN_CHARS
    assert find_pairs([(1, short), (2, short)], threshold=0.5) == []


def test_threshold_bounds():
    with pytest.raises(ValueError):
        find_pairs([(1, BASE)], threshold=0)


def test_most_similar_first_among_many_unrelated_texts():
    rng = random.Random(1)
    alphabet = "党支部会议学习组织生活主题教育工作研究部署落实整改要求制度建设发展党员谈心谈话民主评议先锋模范作用基层"
    texts = [(i, "".join(rng.choice(alphabet) for _ in range(200))) for i in range(1, 1501)]
    exact = texts[10][1]
    near = exact[:190] + "".join(rng.choice(alphabet) for _ in range(10))
    texts += [(5001, exact), (5002, near)]
    pairs = find_pairs(texts, threshold=0.8)
    assert [(p.a, p.b) for p in pairs] == [(11, 5001), (11, 5002), (5001, 5002)]
    assert pairs[0].similarity == 1.0
    assert (
        pairs[1].similarity
        == pairs[2].similarity
        == round(jaccard(shingles(normalise(exact)), shingles(normalise(near))), 4)
    )


def test_no_all_pairs_comparison(monkeypatch):
    """Exact comparisons are made only for LSH candidates, not for every pair."""
    from dangjian.supervision import similarity

    calls = []
    real = similarity.code_jaccard
    monkeypatch.setattr(similarity, "code_jaccard", lambda a, b: calls.append(1) or real(a, b))
    rng = random.Random(2)
    texts = [
        (i, "".join(rng.choice("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥") for _ in range(120)))
        for i in range(400)
    ]
    find_pairs(texts, threshold=0.8)
    assert len(calls) < 400  # all pairs would be 79,800


def test_shingle_codes_are_exact():
    from dangjian.supervision.similarity import code_jaccard, shingle_codes

    a, b = normalise(BASE), normalise(BASE[:150] + "另起一段不同的内容用于比较差异")
    assert len(shingle_codes(a)) == len(shingles(a))
    assert code_jaccard(shingle_codes(a), shingle_codes(b)) == jaccard(shingles(a), shingles(b))


def test_diff_escapes_everything():
    left, right = diff_html("<b>会议</b>甲", "<b>会议</b>乙&")
    assert "<b>" not in left and "&lt;b&gt;" in left
    assert '<del class="diff-del">甲</del>' in left
    assert '<ins class="diff-ins">乙&amp;</ins>' in right


def test_fast_normalise_equals_nfkc_path():
    """The fast path (no NFKC for ordinary characters) gives what NFKC + lower + removal give, for texts of the
    fast characters alone and mixed with characters that need NFKC (combining marks, compatibility forms)."""
    from dangjian.supervision import similarity

    rng = random.Random(5)
    ordinary = (
        [chr(c) for c in range(0x20, 0x7F)]
        + [chr(c) for c in range(0x2010, 0x2028)]
        + [chr(c) for c in range(0x3000, 0x3040)]
        + [chr(c) for c in range(0xFF01, 0xFF5F)]
        + list("党支部会议记录学习〇々〸〹〺\n\t")
    )
    special = list("é\u0301\u0300\u3099ｶﾞ①℃ﬁΣς가\u1161\u0b47\u0b3e\u00a0Å")
    for pool in (ordinary, ordinary + special):
        for _ in range(3000):
            text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 40)))
            assert similarity.normalise(text) == similarity._normalise_slow(text), repr(text)
    assert similarity.normalise("") == similarity.normalise(None) == ""


def test_batched_signatures_and_candidates_match_datasketch():
    """signatures() gives each text's own signature; candidate_pairs() gives exactly the candidates of a
    datasketch MinHashLSH with the same bands and rows."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    from dangjian.supervision import similarity

    rng = random.Random(7)
    alphabet = "党支部会议学习组织生活主题教育工作研究部署落实整改要求制度建设"
    base = ["".join(rng.choice(alphabet) for _ in range(rng.randint(40, 200))) for _ in range(150)]
    texts = base + [t[: len(t) - rng.randint(0, 30)] + "补充" * rng.randint(0, 5) for t in base[:60]]
    norms = [normalise(t) for t in texts]
    sigs = similarity.signatures(norms, chunk=500)  # several chunks
    assert (sigs == np.array([similarity.signature(similarity.shingle_codes(n)) for n in norms])).all()
    assert (
        similarity.signatures(["ab", "abcd"])
        == [
            similarity.signature(similarity.shingle_codes("ab")),
            similarity.signature(similarity.shingle_codes("abcd")),
        ]
    ).all()

    bands, rows = similarity.lsh_params(0.8)
    lsh = MinHashLSH(threshold=0.65, num_perm=similarity.NUM_PERM)
    assert (lsh.b, lsh.r) == (bands, rows)
    hashes = {}
    for key, sig in enumerate(sigs):
        hashes[key] = MinHash(hashvalues=sig, permutations=similarity._PERMS, scheme="affine32")
        lsh.insert(key, hashes[key])
    expected = {(k, o) for k, h in hashes.items() for o in lsh.query(h) if o > k}
    got = similarity.candidate_pairs(np.arange(len(norms)), sigs, bands, rows)
    assert got == expected and len(got) >= 40
