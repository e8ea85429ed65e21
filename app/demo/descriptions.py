"""What each demo gift is, its size and its value, in zh_Hans, English and zh_Hant.

Keyed by the gift's Simplified name; the value is what the gift costs the brand (cost_fen).
"""

DESCRIPTIONS = {
    "云澜青春精华 15ml 体验装": (
        "15ml 青春精华体验装，含山茶花与玻尿酸，早晚使用，唤醒肌肤光泽；价值 ¥160。",
        "A 15 ml trial size of the Youth Serum with camellia and hyaluronic acid, for morning"
        " and evening; a ¥160 value.",
        "15ml 青春精華體驗裝，含山茶花與玻尿酸，早晚使用，喚醒肌膚光澤；價值 ¥160。",
    ),
    "云澜臻养面霜 50ml": (
        "50ml 臻养面霜，质地丰润，夜间深层滋养，修护干燥肌肤；价值 ¥3,200。",
        "A 50 ml rich night cream that deeply nourishes and repairs dry skin; a ¥3,200 value.",
        "50ml 臻養面霜，質地豐潤，夜間深層滋養，修護乾燥肌膚；價值 ¥3,200。",
    ),
    "雪莲焕白精华 30ml": (
        "30ml 焕白精华，含天山雪莲提取物，淡化暗沉，提亮肤色；价值 ¥680。",
        "A 30 ml serum with snow-lotus extract that evens and brightens the skin; a ¥680 value.",
        "30ml 煥白精華，含天山雪蓮萃取物，淡化暗沉，提亮膚色；價值 ¥680。",
    ),
    "金卡尊享修护礼盒": (
        "金卡会员专享：修护精华 30ml、面霜 15ml 与眼霜 5ml，装于烫金礼盒；价值 ¥1,500。",
        "For Gold members: repair serum 30 ml, cream 15 ml and eye cream 5 ml in a gilded box;"
        " a ¥1,500 value.",
        "金卡會員專享：修護精華 30ml、面霜 15ml 與眼霜 5ml，裝於燙金禮盒；價值 ¥1,500。",
    ),
    "丝绒唇膏 #520": (
        "3.5g 丝绒雾面唇膏，#520 玫瑰豆沙色，轻薄显色不拔干；价值 ¥220。",
        "A 3.5 g velvet-matte lipstick in #520 rose nude, light and long-wearing; a ¥220 value.",
        "3.5g 絲絨霧面唇膏，#520 玫瑰豆沙色，輕薄顯色不拔乾；價值 ¥220。",
    ),
    "晨露淡香水 10ml": (
        "10ml 随行装淡香水，白花与绿茶的清晨气息；价值 ¥300。",
        "A 10 ml travel-size eau de toilette of white flowers and green tea; a ¥300 value.",
        "10ml 隨行裝淡香水，白花與綠茶的清晨氣息；價值 ¥300。",
    ),
    "限定圣诞唇膏礼盒": (
        "圣诞限定：三支迷你唇膏（各 2g）装于节日礼盒；价值 ¥420。",
        "Christmas edition: three mini lipsticks (2 g each) in a festive box; a ¥420 value.",
        "聖誕限定：三支迷你唇膏（各 2g）裝於節日禮盒；價值 ¥420。",
    ),
    "专柜 50 元代金券": (
        "在任一云澜专柜购物时抵扣 50 元；价值 ¥50。",
        "Takes ¥50 off a purchase at any YUNLAN counter; a ¥50 value.",
        "在任一雲瀾專櫃購物時抵扣 50 元；價值 ¥50。",
    ),
    "满 500 减 100 券": (
        "专柜单笔消费满 500 元立减 100 元；价值 ¥100。",
        "¥100 off a counter purchase of ¥500 or more; a ¥100 value.",
        "專櫃單筆消費滿 500 元立減 100 元；價值 ¥100。",
    ),
    "视频会员月卡": (
        "一个月视频平台会员，兑换后凭兑换码激活；价值 ¥15。",
        "One month of a video-streaming membership, activated with a code; a ¥15 value.",
        "一個月視頻平台會員，兌換後憑兌換碼啟用；價值 ¥15。",
    ),
    "音乐会员季卡": (
        "三个月音乐平台会员，兑换后凭兑换码激活；价值 ¥30。",
        "Three months of a music-streaming membership, activated with a code; a ¥30 value.",
        "三個月音樂平台會員，兌換後憑兌換碼啟用；價值 ¥30。",
    ),
    "专柜焕颜护理 60 分钟": (
        "60 分钟专柜焕颜护理：清洁、精华导入与面部按摩，由美容顾问为您操作；价值 ¥200。",
        "A 60-minute facial at the counter: cleansing, serum infusion and massage by a beauty"
        " advisor; a ¥200 value.",
        "60 分鐘專櫃煥顏護理：清潔、精華導入與面部按摩，由美容顧問為您操作；價值 ¥200。",
    ),
    "钻石专享眼部护理": (
        "钻石会员专享：45 分钟眼部护理，舒缓浮肿与细纹；价值 ¥400。",
        "For Diamond members: a 45-minute eye treatment that eases puffiness and fine lines;"
        " a ¥400 value.",
        "鑽石會員專享：45 分鐘眼部護理，舒緩浮腫與細紋；價值 ¥400。",
    ),
}
